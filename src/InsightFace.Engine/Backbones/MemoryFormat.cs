using TorchSharp;
using static TorchSharp.torch;

namespace InsightFace.Engine.Backbones;

/// <summary>
/// The memory layout of a backbone's 4-D tensors (images, activations, convolution weights), the config key
/// <c>memory_format</c>: <c>contiguous</c> (NCHW, PyTorch's default) or <c>channels_last</c> (NHWC in memory, NCHW in
/// shape), which lets oneDNN run convolutions without reordering every input and output.
/// </summary>
/// <remarks>
/// TorchSharp 0.107 has no <c>contiguous(memory_format)</c> or <c>module.to(memory_format)</c>: a channels-last tensor
/// is made as PyTorch makes one, by permuting to NHWC, copying and permuting back, which leaves the NCHW shape with
/// NHWC strides. libtorch recognises the layout from the strides. Only the layout changes, never a value or a shape,
/// so state dicts, checkpoints and ONNX exports are the same in either layout.
/// </remarks>
public static class MemoryFormat
{
    /// <summary>The config value for PyTorch's default NCHW layout.</summary>
    public const string Contiguous = "contiguous";

    /// <summary>The config value for the NHWC layout.</summary>
    public const string ChannelsLast = "channels_last";

    /// <summary>The values <c>memory_format</c> takes.</summary>
    public static IReadOnlyList<string> Names { get; } = [ChannelsLast, Contiguous];

    /// <summary>
    /// <paramref name="tensor"/> in <paramref name="format"/>: itself when it already is, or when it is not 4-D (only
    /// 4-D tensors have a channels-last layout); otherwise a new tensor with the same values.
    /// </summary>
    public static Tensor To(Tensor tensor, string format)
    {
        if (tensor.dim() != 4 || Is(tensor, format)) return tensor.alias();
        if (format != ChannelsLast) return tensor.contiguous();
        // The intermediates are freed here, not left to the finalizer: the result holds the storage it needs.
        using var nhwc = tensor.permute(0, 2, 3, 1);
        using var copied = nhwc.contiguous();
        return copied.permute(0, 3, 1, 2);
    }

    /// <summary>True when <paramref name="tensor"/> is laid out as <paramref name="format"/> says.</summary>
    public static bool Is(Tensor tensor, string format) => format switch
    {
        Contiguous => tensor.is_contiguous(),
        ChannelsLast => tensor.dim() == 4 && HasChannelsLastStrides(tensor.shape, tensor.stride()),
        _ => throw new ArgumentOutOfRangeException(nameof(format), format, $"memory_format is {string.Join(" or ", Names)}"),
    };

    /// <summary>
    /// Lays out every 4-D parameter, its gradient if it has one, and every 4-D buffer of <paramref name="module"/> as
    /// <paramref name="format"/> says, in place: the tensors stay the same objects (optimizers that hold them keep
    /// working), only their storage changes.
    /// </summary>
    /// <remarks>
    /// A gradient left in the other layout (one restored on resume inside an accumulation window) would stay so for the
    /// rest of the run: backward adds to it in place, and libtorch warns that it breaks the gradient layout contract.
    /// </remarks>
    public static void Apply(nn.Module module, string format)
    {
        using var noGrad = no_grad();
        foreach (var tensor in module.parameters().Concat(module.buffers())) Relayout(tensor, format);
        foreach (var parameter in module.parameters())
        {
            using var gradient = parameter.grad;
            if (gradient is not null) Relayout(gradient, format);
        }
    }

    /// <summary>Gives <paramref name="tensor"/> the layout <paramref name="format"/> in place, keeping its values.</summary>
    public static void Relayout(Tensor tensor, string format)
    {
        if (tensor.dim() != 4 || Is(tensor, format)) return;
        using var noGrad = no_grad();
        using var laidOut = To(tensor, format);
        tensor.set_(laidOut);
    }

    /// <summary>
    /// The format <paramref name="tensor"/> is in: channels_last for a 4-D tensor with NHWC strides, else contiguous.
    /// A tensor that is both (one channel, or 1×1 pixels) counts as channels_last.
    /// </summary>
    public static string Of(Tensor tensor) => Is(tensor, ChannelsLast) ? ChannelsLast : Contiguous;

    /// <summary>
    /// The format <see cref="Apply"/> gave <paramref name="module"/>: that of its first 4-D parameter (a backbone's
    /// first convolution), contiguous when it has none.
    /// </summary>
    public static string Of(nn.Module module) =>
        module.parameters().FirstOrDefault(p => p.dim() == 4) is { } weight ? Of(weight) : Contiguous;

    // N×C×H×W stored as N×H×W×C has strides (H·W·C, 1, W·C, C). As in libtorch, the stride of a dimension of size 1
    // does not matter: no index ever moves along it.
    private static bool HasChannelsLastStrides(long[] shape, long[] strides)
    {
        long[] expected = [shape[1] * shape[2] * shape[3], 1, shape[3] * shape[1], shape[1]];
        for (var d = 0; d < 4; d++)
            if (shape[d] > 1 && strides[d] != expected[d]) return false;
        return true;
    }
}

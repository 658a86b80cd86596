using static TorchSharp.torch;

namespace InsightFace.Engine.Backbones;

/// <summary>
/// Runs a tensor through layers in order and disposes each intermediate result as soon as the next one exists.
/// Without this, a dispose scope around a forward pass keeps every activation alive until the pass ends, which
/// roughly doubles inference memory compared with PyTorch's reference counting. Autograd keeps what backward needs.
/// </summary>
internal static class LayerChain
{
    /// <summary>The output of the last layer; <paramref name="input"/> itself is left to its owner.</summary>
    public static Tensor Run(Tensor input, params nn.Module<Tensor, Tensor>[] layers)
    {
        var x = input;
        foreach (var layer in layers)
        {
            var next = layer.call(x);
            if (!ReferenceEquals(x, input)) x.Dispose();
            x = next;
        }
        return x;
    }
}

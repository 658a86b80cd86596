using TorchSharp;
using TorchSharp.Modules;

namespace InsightFace.Engine.Export.Onnx;

/// <summary>
/// Writes the layers our backbones are made of as ONNX nodes, reading the weights from the TorchSharp modules.
/// Each method takes the node's name (the module path, used as the prefix of its initializers) and its input,
/// and returns the output value's name. Dropout is the identity at inference, so it is simply not written.
/// </summary>
public static class OnnxLayers
{
    /// <summary>
    /// Conv (groups included, so depthwise convs too). With <paramref name="foldedBatchNorm"/>, the BatchNorm that
    /// follows the conv is folded into its weight and bias, and no BatchNormalization node is written.
    /// </summary>
    public static string Conv(OnnxGraphBuilder graph, string name, string input, Conv2d conv, BatchNorm? foldedBatchNorm = null)
    {
        if (conv.padding is not { } padding || conv.padding_mode != PaddingModes.Zeros)
            throw new NotSupportedException($"Conv '{name}': only explicit zero padding can be exported.");

        var weight = Values(conv.weight!);
        var bias = conv.bias is { } b ? Values(b) : null;
        if (foldedBatchNorm is not null)
            (weight, bias) = FoldBatchNorm(weight, bias, foldedBatchNorm);

        List<string> inputs = [input, graph.AddInitializer($"{name}.weight", weight, conv.weight!.shape)];
        if (bias is not null) inputs.Add(graph.AddInitializer($"{name}.bias", bias, conv.out_channels));
        return graph.AddNode("Conv", name, inputs, [$"{name}.out"],
            OnnxAttribute.Ints("kernel_shape", conv.kernel_size),
            OnnxAttribute.Ints("strides", conv.stride),
            OnnxAttribute.Ints("pads", [.. padding, .. padding]),
            OnnxAttribute.Ints("dilations", conv.dilation),
            OnnxAttribute.Int("group", conv.groups));
    }

    /// <summary>BatchNormalization over channel axis 1, for BatchNorm2d on NCHW and BatchNorm1d on [N, C] alike.</summary>
    public static string BatchNorm(OnnxGraphBuilder graph, string name, string input, NormBase batchNorm)
    {
        var channels = batchNorm.num_features;
        var (mean, variance) = RunningStatistics(batchNorm);
        string[] inputs =
        [
            input,
            graph.AddInitializer($"{name}.weight", batchNorm.weight is { } w ? Values(w) : Filled(channels, 1f), channels),
            graph.AddInitializer($"{name}.bias", batchNorm.bias is { } b ? Values(b) : Filled(channels, 0f), channels),
            graph.AddInitializer($"{name}.running_mean", mean, channels),
            graph.AddInitializer($"{name}.running_var", variance, channels),
        ];
        return graph.AddNode("BatchNormalization", name, inputs, [$"{name}.out"], OnnxAttribute.Float("epsilon", (float)batchNorm.eps));
    }

    /// <summary>PRelu with its slope shaped [C, 1, 1] (or [1] for a single shared slope), so it broadcasts over NCHW.</summary>
    public static string PRelu(OnnxGraphBuilder graph, string name, string input, PReLU prelu)
    {
        var slope = Values(prelu.weight!);
        long[] shape = slope.Length == 1 ? [1] : [slope.Length, 1, 1];
        return graph.AddNode("PRelu", name, [input, graph.AddInitializer($"{name}.weight", slope, shape)], [$"{name}.out"]);
    }

    /// <summary>Element-wise Add, for residual connections.</summary>
    public static string Add(OnnxGraphBuilder graph, string name, string left, string right) =>
        graph.AddNode("Add", name, [left, right], [$"{name}.out"]);

    /// <summary>Flatten to [N, rest] (axis 1), as torch.flatten(x, 1).</summary>
    public static string Flatten(OnnxGraphBuilder graph, string name, string input) =>
        graph.AddNode("Flatten", name, [input], [$"{name}.out"], OnnxAttribute.Int("axis", 1));

    /// <summary>Gemm computing x · Wᵀ + b from a Linear's [out, in] weight (transB = 1); no C input when the Linear has no bias.</summary>
    public static string Gemm(OnnxGraphBuilder graph, string name, string input, Linear linear)
    {
        List<string> inputs = [input, graph.AddInitializer($"{name}.weight", Values(linear.weight!), linear.weight!.shape)];
        if (linear.bias is { } bias) inputs.Add(graph.AddInitializer($"{name}.bias", Values(bias), linear.out_features));
        return graph.AddNode("Gemm", name, inputs, [$"{name}.out"],
            OnnxAttribute.Float("alpha", 1f), OnnxAttribute.Float("beta", 1f), OnnxAttribute.Int("transB", 1));
    }

    /// <summary>
    /// Folds an eval-mode BatchNorm into the conv before it: with s = γ / √(var + ε), W' = W·s per output channel
    /// and b' = (b − mean)·s + β. Computed in float64 so the folded weights round only once.
    /// </summary>
    internal static (float[] Weight, float[] Bias) FoldBatchNorm(float[] weight, float[]? bias, NormBase batchNorm)
    {
        var channels = (int)batchNorm.num_features;
        var gamma = batchNorm.weight is { } w ? Values(w) : Filled(channels, 1f);
        var beta = batchNorm.bias is { } b ? Values(b) : Filled(channels, 0f);
        var (mean, variance) = RunningStatistics(batchNorm);
        if (weight.Length % channels != 0)
            throw new ArgumentException($"A conv weight of {weight.Length} values cannot be folded with a BatchNorm of {channels} channels.");

        var perChannel = weight.Length / channels;
        var folded = new float[weight.Length];
        var foldedBias = new float[channels];
        for (var c = 0; c < channels; c++)
        {
            var scale = gamma[c] / Math.Sqrt(variance[c] + batchNorm.eps);
            for (var i = c * perChannel; i < (c + 1) * perChannel; i++) folded[i] = (float)(weight[i] * scale);
            foldedBias[c] = (float)(((bias?[c] ?? 0.0) - mean[c]) * scale + beta[c]);
        }
        return (folded, foldedBias);
    }

    private static (float[] Mean, float[] Variance) RunningStatistics(NormBase batchNorm) =>
        batchNorm.running_mean is { } mean && batchNorm.running_var is { } variance
            ? (Values(mean), Values(variance))
            : throw new NotSupportedException("A BatchNorm without running statistics (track_running_stats=False) cannot be exported for inference.");

    private static float[] Values(torch.Tensor tensor)
    {
        using var scope = torch.NewDisposeScope();
        return tensor.detach().cpu().to_type(torch.float32).contiguous().data<float>().ToArray();
    }

    private static float[] Filled(long count, float value) => Enumerable.Repeat(value, (int)count).ToArray();
}

using InsightFace.Engine.Runtime;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace InsightFace.Engine.Backbones;

/// <summary>
/// PyTorch's BatchNorm2d (N×C×H×W) or BatchNorm1d (N×C), with TorchSharp's parameters and buffers (so state_dict
/// keys and files match), that counts <c>num_batches_tracked</c> with a Scalar the process holds. TorchSharp's own
/// forward adds 1 through a Scalar it leaves to the finalizer, twice per layer per training step (see BannedSymbols.txt).
/// </summary>
public sealed class BatchNormLayer : BatchNorm
{
    private readonly long[] _inputRanks;

    private BatchNormLayer(long features, double eps, Device? device, string name, params long[] inputRanks)
        : base(features, eps, momentum: 0.1, affine: true, track_running_stats: true, device, dtype: null, name)
    {
        _inputRanks = inputRanks;
    }

    /// <summary>Normalizes each of <paramref name="channels"/> channels of N×C×H×W input, as nn.BatchNorm2d.</summary>
    public static BatchNormLayer TwoD(long channels, double eps = 1e-5, Device? device = null) =>
        new(channels, eps, device, "BatchNorm2d", 4);

    /// <summary>Normalizes each of <paramref name="features"/> features of N×C input, as nn.BatchNorm1d.</summary>
    public static BatchNormLayer OneD(long features, double eps = 1e-5, Device? device = null) =>
        new(features, eps, device, "BatchNorm1d", 2, 3);

    /// <inheritdoc/>
    protected override void ValidateInputDimensions(Tensor input)
    {
        if (!_inputRanks.Contains(input.ndim))
            throw new ArgumentException($"expected {string.Join(" or ", _inputRanks)}D input, but got {input.ndim}D input.");
    }

    /// <inheritdoc/>
    public override Tensor forward(Tensor input)
    {
        ValidateInputDimensions(input);
        if (training) num_batches_tracked?.add_(Scalars.One, Scalars.One);
        return nn.functional.batch_norm(input, running_mean, running_var, weight, bias, training, momentum!.Value, eps);
    }
}

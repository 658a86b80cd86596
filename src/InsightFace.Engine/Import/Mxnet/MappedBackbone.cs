using TorchSharp;

namespace InsightFace.Engine.Import.Mxnet;

/// <summary>
/// An MXNet model translated into one of our backbones: the network name (<c>r50</c>, <c>r100</c>, ...), the
/// embedding size, and arcface_torch state_dict keys with their tensors. BatchNorm <c>num_batches_tracked</c>
/// counters are not included; PyTorch and our loader start them at 0 when absent.
/// </summary>
public sealed record MappedBackbone(string Network, int EmbeddingSize, IReadOnlyDictionary<string, MappedTensor> StateDict)
{
    /// <summary>The input our backbones take: (x − <see cref="InputMean"/>) / <see cref="InputStd"/>, RGB.</summary>
    public const double InputMean = 127.5, InputStd = 127.5;

    /// <summary>Blocks per stage: iresnet's layers (e.g. [3, 4, 14, 3]) or MobileFaceNet's blocks (e.g. [1, 4, 6, 2]).</summary>
    public IReadOnlyList<int> Blocks { get; init; } = [];

    /// <summary>MobileFaceNet's width scale (arcface_torch's <c>scale</c>: 2 for mbf, 1 for InsightFace's MXNet fmobilefacenet); null for iresnet.</summary>
    public int? Scale { get; init; }

    /// <summary>What the translation changed so that the numbers match, for the verbose stream.</summary>
    public IReadOnlyList<string> Notes { get; init; } = [];

    /// <summary>The mapped tensors as float32 CPU tensors, ready for <see cref="StateDictLoader.Load"/>.</summary>
    public StateDict ToStateDict()
    {
        var result = new StateDict();
        foreach (var (key, tensor) in StateDict)
            result.Add(key, torch.tensor(tensor.Values, tensor.Shape));
        return result;
    }
}

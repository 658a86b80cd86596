using TorchSharp;

namespace InsightFace.Engine.Import.Mxnet;

/// <summary>
/// An MXNet model translated into one of our backbones: the network name (<c>r50</c>, <c>r100</c>, ...), the
/// embedding size, and arcface_torch state_dict keys with their tensors. BatchNorm <c>num_batches_tracked</c>
/// counters are not included; PyTorch and our loader start them at 0 when absent.
/// </summary>
public sealed record MappedBackbone(string Network, int EmbeddingSize, IReadOnlyDictionary<string, MappedTensor> StateDict)
{
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

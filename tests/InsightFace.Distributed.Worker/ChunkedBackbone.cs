using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace InsightFace.Distributed.Worker;

/// <summary>
/// One process's stand-in for W data-parallel ranks: runs the backbone on each of W equal chunks of the batch and
/// concatenates the embeddings, so BatchNorm normalises each chunk by its own statistics, as each rank normalises
/// its own batch (arcface_torch keeps BatchNorm per rank). Its parameters are the backbone's.
/// </summary>
internal sealed class ChunkedBackbone : nn.Module<Tensor, Tensor>
{
    private readonly nn.Module<Tensor, Tensor> _backbone;
    private readonly int _chunks;

    public ChunkedBackbone(nn.Module<Tensor, Tensor> backbone, int chunks) : base(nameof(ChunkedBackbone))
    {
        _backbone = backbone;
        _chunks = chunks;
    }

    public override Tensor forward(Tensor input) => cat(input.chunk(_chunks, 0).Select(_backbone.call).ToArray(), 0);

    public override IEnumerable<Parameter> parameters(bool recurse = true) => _backbone.parameters(recurse);

    public override IEnumerable<(string name, Parameter parameter)> named_parameters(bool recurse = true) => _backbone.named_parameters(recurse);
}

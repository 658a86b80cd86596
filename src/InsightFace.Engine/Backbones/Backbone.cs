using TorchSharp;
using static TorchSharp.torch;

namespace InsightFace.Engine.Backbones;

/// <summary>A face-recognition network: a batch of N×3×112×112 images in, N×E un-normalised embeddings out.</summary>
public abstract class Backbone : nn.Module<Tensor, Tensor>
{
    /// <summary>Names the module (its TorchSharp name) and records its embedding size.</summary>
    protected Backbone(string name, long embeddingSize) : base(name) => EmbeddingSize = embeddingSize;

    /// <summary>The length E of each embedding this network produces.</summary>
    public long EmbeddingSize { get; }

    /// <summary>The number of parameter elements, frozen ones included (as PyTorch's <c>sum(p.numel())</c>).</summary>
    public long ParameterCount => parameters().Sum(p => p.numel());
}

using InsightFace.Engine.Backbones;

namespace InsightFace;

/// <summary>A network the registry can build, with its size and its cost for one 112x112 image.</summary>
public sealed class FaceBackbone
{
    /// <summary>The registry name, as in arcface_torch configs: r18, r34, r50, r100, r200, mbf or mbf_large.</summary>
    public string Name { get; set; } = "";
    /// <summary>Parameter elements, the frozen scale of the IResNet's features BatchNorm included.</summary>
    public long Parameters { get; set; }
    /// <summary>Multiply-accumulates of the convolutions and Linear layers for one 3x112x112 image.</summary>
    public long MACs { get; set; }
    /// <summary>The embedding length the counts were computed for.</summary>
    public int EmbeddingSize { get; set; }

    internal static FaceBackbone From(BackboneDescription description) => new()
    {
        Name = description.Name,
        Parameters = description.Parameters,
        MACs = description.MACs,
        EmbeddingSize = checked((int)description.EmbeddingSize),
    };
}

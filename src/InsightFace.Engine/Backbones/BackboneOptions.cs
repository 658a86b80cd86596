using static TorchSharp.torch;

namespace InsightFace.Engine.Backbones;

/// <summary>How to build a backbone; the names follow arcface_torch's config keys.</summary>
public sealed record BackboneOptions
{
    /// <summary><c>embedding_size</c>: the length of each embedding (512 in every arcface_torch config).</summary>
    public long EmbeddingSize { get; init; } = 512;

    /// <summary>Dropout before the IResNet's final Linear layer, in [0, 1). arcface_torch's train_v2 uses 0.</summary>
    public double Dropout { get; init; }

    /// <summary>
    /// <c>fp16</c>: mixed precision. TorchSharp has no autocast, so asking for it is an error, never ignored.
    /// </summary>
    public bool Fp16 { get; init; }

    /// <summary>The device for the parameters; null means the CPU.</summary>
    public Device? Device { get; init; }

    /// <summary>The floating-point type for the parameters; null means float32.</summary>
    public ScalarType? DType { get; init; }
}

using TorchSharp;
using static TorchSharp.torch;

namespace InsightFace.Engine.Backbones;

/// <summary>The networks that can be built by name, as arcface_torch's <c>get_model</c> names them.</summary>
public static class BackboneRegistry
{
    private abstract record Architecture(string Name)
    {
        public abstract Backbone Build(BackboneOptions options, Device? device);
        public abstract (long Parameters, long MACs) Cost(long embeddingSize);
    }

    private sealed record IResNetArchitecture(string Name, int[] Blocks) : Architecture(Name)
    {
        public override Backbone Build(BackboneOptions options, Device? device) =>
            new IResNet(Blocks, options.EmbeddingSize, options.Dropout, device);
        public override (long Parameters, long MACs) Cost(long embeddingSize) =>
            BackboneCost.IResNet(Blocks, embeddingSize);
    }

    private sealed record MobileFaceNetArchitecture(string Name, int[] Blocks, long Scale) : Architecture(Name)
    {
        public override Backbone Build(BackboneOptions options, Device? device)
        {
            // arcface_torch's get_model never passes dropout to MobileFaceNet; refusing it beats ignoring it.
            if (options.Dropout != 0)
                throw new BackboneConfigurationException(ErrorIds.DropoutNotSupported, "dropout",
                    $"Network '{Name}' has no dropout layer, but dropout is {options.Dropout}. Set dropout to 0.");
            return new MobileFaceNet(Blocks, Scale, options.EmbeddingSize, device);
        }
        public override (long Parameters, long MACs) Cost(long embeddingSize) =>
            BackboneCost.MobileFaceNet(Blocks, Scale, embeddingSize);
    }

    private static readonly Architecture[] Architectures =
    [
        new IResNetArchitecture("r18", [2, 2, 2, 2]),
        new IResNetArchitecture("r34", [3, 4, 6, 3]),
        new IResNetArchitecture("r50", [3, 4, 14, 3]),
        new IResNetArchitecture("r100", [3, 13, 30, 3]),
        new IResNetArchitecture("r200", [6, 26, 60, 6]),
        new MobileFaceNetArchitecture("mbf", [1, 4, 6, 2], 2),
        new MobileFaceNetArchitecture("mbf_large", [2, 8, 12, 4], 4),
        // InsightFace's MXNet fmobilefacenet: arcface_torch's MobileFaceNet at width scale 1, for imported models.
        new MobileFaceNetArchitecture("fmobilefacenet", [1, 4, 6, 2], 1),
    ];

    /// <summary>Every name <see cref="Create"/> accepts, smallest IResNet first.</summary>
    public static IReadOnlyList<string> Names { get; } = Architectures.Select(a => a.Name).ToArray();

    /// <summary>
    /// Builds network <paramref name="name"/>, initialised as arcface_torch initialises it, on the options' device.
    /// </summary>
    /// <exception cref="BackboneConfigurationException">Unknown name, or an embedding size or dropout out of range.</exception>
    /// <exception cref="PrecisionNotSupportedException"><see cref="BackboneOptions.Fp16"/> was set.</exception>
    public static Backbone Create(string name, BackboneOptions options)
    {
        var architecture = Find(name);
        CheckEmbeddingSize(options.EmbeddingSize);
        if (!(options.Dropout >= 0 && options.Dropout < 1))
            throw new BackboneConfigurationException(ErrorIds.InvalidDropout, "dropout",
                $"dropout must be in [0, 1), got {options.Dropout}.");
        var device = options.Device ?? torch.CPU;
        CheckPrecision(options.Fp16, device);
        var network = architecture.Build(options, device);
        // Converted after building: BatchNorm given a dtype at construction would also give its integer
        // num_batches_tracked that dtype, unlike PyTorch.
        if (options.DType is { } dtype) network.to(dtype);
        return network;
    }

    /// <summary>Checks that a network can be trained in the precision asked for on <paramref name="device"/>.</summary>
    /// <exception cref="PrecisionNotSupportedException"><paramref name="fp16"/> is set: TorchSharp has no autocast yet.</exception>
    public static void CheckPrecision(bool fp16, torch.Device device)
    {
        if (fp16)
            throw new PrecisionNotSupportedException(device.ToString(),
                $"fp16 is not supported on device '{device}': TorchSharp has no autocast, so mixed precision cannot " +
                "run here yet. Set fp16: false to train in float32.");
    }

    /// <summary>Size and cost of network <paramref name="name"/> at <paramref name="embeddingSize"/>, without building it.</summary>
    /// <exception cref="BackboneConfigurationException">Unknown name or embedding size below 1.</exception>
    public static BackboneDescription Describe(string name, long embeddingSize = 512)
    {
        var architecture = Find(name);
        CheckEmbeddingSize(embeddingSize);
        var (parameters, macs) = architecture.Cost(embeddingSize);
        return new BackboneDescription(architecture.Name, parameters, macs, embeddingSize);
    }

    private static Architecture Find(string name) =>
        Architectures.FirstOrDefault(a => a.Name == name)
        ?? throw new BackboneConfigurationException(ErrorIds.UnknownBackbone, "network",
            $"Unknown network '{name}'. Expected one of: {string.Join(", ", Names)}.");

    private static void CheckEmbeddingSize(long embeddingSize)
    {
        if (embeddingSize < 1)
            throw new BackboneConfigurationException(ErrorIds.InvalidEmbeddingSize, "embedding_size",
                $"embedding_size must be at least 1, got {embeddingSize}.");
    }
}

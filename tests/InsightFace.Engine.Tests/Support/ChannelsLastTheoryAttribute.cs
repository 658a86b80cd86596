using InsightFace.Engine.Backbones;

namespace InsightFace.Engine.Tests.Support;

/// <summary>
/// A theory that compares libtorch's channels_last results with NCHW's in float32 on MobileFaceNet and ResNet-18 at a
/// batch of 4: skipped, with the reason, on a CPU where <see cref="ChannelsLastCheck"/> finds them apart (the check
/// itself is tested against float64).
/// </summary>
public sealed class ChannelsLastTheoryAttribute : TheoryAttribute
{
    private static readonly Lazy<string?> Failure = new(() =>
    {
        foreach (var network in new[] { "mbf", "r18" })
        {
            var difference = ChannelsLastCheck.Compare(network, new BackboneOptions { EmbeddingSize = 64 }, 4);
            if (!difference.IsRounding)
                return $"libtorch's channels_last kernels give wrong values on this CPU ({network} at batch 4: {difference}, " +
                       "ChannelsLastCheck), so the layouts cannot agree here";
        }
        return null;
    });

    /// <summary>Skips the theory where libtorch's channels_last kernels are wrong.</summary>
    public ChannelsLastTheoryAttribute()
    {
        if (Failure.Value is { } reason) Skip = reason;
    }
}

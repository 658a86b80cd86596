using InsightFace.Engine.Backbones;

namespace InsightFace.Engine.Tests.Support;

/// <summary>
/// A theory that compares libtorch's channels_last results with NCHW's in float32: skipped, with the reason, on a CPU
/// where <see cref="ChannelsLastCheck"/> finds libtorch's channels_last convolutions wrong (the check itself is tested).
/// </summary>
public sealed class ChannelsLastTheoryAttribute : TheoryAttribute
{
    /// <summary>Skips the theory where libtorch's channels_last convolutions are not reliable.</summary>
    public ChannelsLastTheoryAttribute()
    {
        if (!ChannelsLastCheck.IsReliable)
            Skip = "libtorch's channels_last convolutions give wrong values on this CPU (ChannelsLastCheck), so the layouts cannot agree here";
    }
}

using InsightFace.Engine.Data.Imaging;

namespace InsightFace.Engine.Evaluation;

/// <summary>How an ONNX model's input is prepared.</summary>
public sealed record OnnxEmbedderOptions
{
    /// <summary>
    /// The value subtracted from each pixel; null chooses as InsightFace does: 0 when the graph starts with its own
    /// Sub and Mul nodes (MXNet exports), otherwise 127.5.
    /// </summary>
    public float? InputMean { get; init; }

    /// <summary>The divisor after the mean; null chooses 1 or 127.5 by the same rule as <see cref="InputMean"/>.</summary>
    public float? InputStd { get; init; }

    /// <summary>The channel order the model expects; InsightFace's models take RGB.</summary>
    public ChannelOrder ChannelOrder { get; init; } = ChannelOrder.Rgb;

    /// <summary>Threads ONNX Runtime may use inside one operator; null leaves its default (all cores).</summary>
    public int? IntraOpThreads { get; init; }
}

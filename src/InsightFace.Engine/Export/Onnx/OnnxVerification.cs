namespace InsightFace.Engine.Export.Onnx;

/// <summary>
/// How closely ONNX Runtime reproduced TorchSharp on the same inputs: the largest absolute difference of any
/// output element, and the scale (largest absolute TorchSharp output) it is judged against.
/// </summary>
public sealed record OnnxVerification(double MaxAbsDiff, double Scale, IReadOnlyList<long> Batches)
{
    /// <summary>The tolerance arcface_torch-style unnormalised embeddings are held to, relative to their scale.</summary>
    public const double DefaultTolerance = 1e-4;

    /// <summary><see cref="MaxAbsDiff"/> relative to <see cref="Scale"/> (absolute when the outputs are all below 1).</summary>
    public double RelativeDiff => MaxAbsDiff / Math.Max(Scale, 1.0);

    /// <summary>Throws when <see cref="RelativeDiff"/> is above <paramref name="tolerance"/> or not a number.</summary>
    /// <exception cref="OnnxVerificationException">The exported model does not compute what the module computes.</exception>
    public void ThrowIfAbove(string modelPath, double tolerance = DefaultTolerance)
    {
        // Written so that NaN (an output that is not finite) fails too.
        if (!(RelativeDiff <= tolerance)) throw new OnnxVerificationException(modelPath, this, tolerance);
    }
}

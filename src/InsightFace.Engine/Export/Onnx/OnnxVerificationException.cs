namespace InsightFace.Engine.Export.Onnx;

/// <summary>ONNX Runtime's output of an exported model differs from TorchSharp's by more than the tolerance.</summary>
public sealed class OnnxVerificationException : InsightFaceException
{
    /// <summary>Creates the exception for <paramref name="modelPath"/>.</summary>
    public OnnxVerificationException(string modelPath, OnnxVerification result, double tolerance)
        : base(ErrorIds.OnnxVerificationFailed, $"ONNX model '{modelPath}' does not reproduce TorchSharp: MaxAbsDiff {result.MaxAbsDiff:G4} at output scale {result.Scale:G4} " +
               $"(relative {result.RelativeDiff:G4}, tolerance {tolerance:G4}) over batches {string.Join(", ", result.Batches)}.")
    {
        ModelPath = modelPath;
        Result = result;
    }

    /// <summary>The exported model.</summary>
    public string ModelPath { get; }

    /// <summary>The comparison that failed.</summary>
    public OnnxVerification Result { get; }
}

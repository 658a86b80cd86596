namespace InsightFace.Engine.Evaluation;

/// <summary>A verification run or an embedding model that cannot go on, with a stable <see cref="ErrorId"/>.</summary>
public sealed class EvaluationException : Exception
{
    /// <summary>An image of the set does not decode; the message names its index and pair.</summary>
    public const string ImageInvalid = "VerificationImageInvalid";
    /// <summary>A verification target name or path that resolves to no <c>.bin</c> file.</summary>
    public const string TargetNotFound = "VerificationTargetNotFound";
    /// <summary>An output file (the ROC plot) exists and overwriting was not allowed.</summary>
    public const string OutputExists = "VerificationOutputExists";
    /// <summary>The set has fewer pairs than cross-validation folds.</summary>
    public const string TooFewPairs = "VerificationTooFewPairs";
    /// <summary>An embedder returned a batch of the wrong shape.</summary>
    public const string EmbeddingShapeInvalid = "EmbeddingShapeInvalid";
    /// <summary>An ONNX model's input is not N x 3 x 112 x 112 float.</summary>
    public const string OnnxInputUnsupported = "OnnxInputShapeUnsupported";
    /// <summary>An ONNX model's output is not a 2-D float tensor.</summary>
    public const string OnnxOutputUnsupported = "OnnxOutputShapeUnsupported";
    /// <summary>A file ONNX Runtime cannot load as a model.</summary>
    public const string OnnxModelInvalid = "OnnxModelInvalid";

    /// <summary>Creates the exception.</summary>
    public EvaluationException(string errorId, string message, Exception? inner = null) : base(message, inner) =>
        ErrorId = errorId;

    /// <summary>A stable PascalCase identifier of the failure, one of the constants of this class.</summary>
    public string ErrorId { get; }
}

namespace InsightFace.Engine.Evaluation;

/// <summary>A verification run or an embedding model that cannot go on.</summary>
public sealed class EvaluationException : InsightFaceException
{
    /// <summary>Creates the exception.</summary>
    public EvaluationException(string errorId, string message, Exception? inner = null) : base(errorId, message, inner) { }
}

namespace InsightFace.Engine.Checkpoints;

/// <summary>A checkpoint is missing, unreadable, or does not fit what it is being used for.</summary>
public sealed class CheckpointException : InsightFaceException
{
    /// <summary>Creates the exception.</summary>
    public CheckpointException(string errorId, string path, string message, Exception? inner = null)
        : base(errorId, message, inner) => Path = path;

    /// <summary>The checkpoint folder or file concerned.</summary>
    public string Path { get; }
}

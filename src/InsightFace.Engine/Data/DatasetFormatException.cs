namespace InsightFace.Engine.Data;

/// <summary>A dataset file holds bytes that do not follow its format (corrupt, truncated, inconsistent).</summary>
public sealed class DatasetFormatException : DatasetException
{
    /// <summary>Creates the exception for <paramref name="filePath"/> at byte <paramref name="offset"/>, if known.</summary>
    public DatasetFormatException(string errorId, string filePath, long? offset, string message, Exception? inner = null)
        : base(errorId, filePath, message, inner) => Offset = offset;

    /// <summary>The byte offset in <see cref="DatasetException.FilePath"/> where the problem is, when it has one.</summary>
    public long? Offset { get; }
}

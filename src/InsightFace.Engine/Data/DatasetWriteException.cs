namespace InsightFace.Engine.Data;

/// <summary>Writing a dataset failed part-way (disk full, permissions); the partial output was removed.</summary>
public sealed class DatasetWriteException : DatasetException
{
    /// <summary>Creates the exception for the file being written, wrapping the I/O error.</summary>
    public DatasetWriteException(string filePath, string message, Exception inner)
        : base(ErrorIds.DatasetWriteFailed, filePath, message, inner)
    {
    }
}

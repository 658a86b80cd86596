namespace InsightFace.Engine.Data;

/// <summary>The base of every dataset error: it names the file or folder it is about.</summary>
public abstract class DatasetException : InsightFaceException
{
    /// <summary>Creates the exception.</summary>
    protected DatasetException(string errorId, string filePath, string message, Exception? inner = null)
        : base(errorId, message, inner) => FilePath = filePath;

    /// <summary>The file or folder the error is about.</summary>
    public string FilePath { get; }
}

namespace InsightFace.Engine.Data;

/// <summary>
/// The base of every dataset error. <see cref="ErrorId"/> is stable (see <see cref="DatasetErrorIds"/>);
/// the message names the file, the offset or key, and what was expected.
/// </summary>
public abstract class DatasetException : Exception
{
    /// <summary>Creates the exception.</summary>
    protected DatasetException(string errorId, string filePath, string message, Exception? inner = null)
        : base(message, inner)
    {
        ErrorId = errorId;
        FilePath = filePath;
    }

    /// <summary>A stable PascalCase id, one of <see cref="DatasetErrorIds"/>.</summary>
    public string ErrorId { get; }

    /// <summary>The file or folder the error is about.</summary>
    public string FilePath { get; }
}

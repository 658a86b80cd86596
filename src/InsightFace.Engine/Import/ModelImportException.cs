namespace InsightFace.Engine.Import;

/// <summary>A model file cannot be imported as asked: the network is not given, or not one the registry can build.</summary>
public sealed class ModelImportException : InsightFaceException
{
    /// <summary>Creates the exception; the message names the file and what to change.</summary>
    public ModelImportException(string errorId, string path, string message, Exception? inner = null)
        : base(errorId, message, inner) => Path = path;

    /// <summary>The model file.</summary>
    public string Path { get; }
}

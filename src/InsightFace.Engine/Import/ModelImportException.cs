namespace InsightFace.Engine.Import;

/// <summary>A model file cannot be imported as asked: the network is not given, or not one the registry can build.</summary>
public sealed class ModelImportException : Exception
{
    /// <summary>Creates the exception; the message names the file and what to change.</summary>
    public ModelImportException(string errorId, string path, string message, Exception? inner = null)
        : base(message, inner)
    {
        ErrorId = errorId;
        Path = path;
    }

    /// <summary><c>NetworkRequired</c> or <c>MxnetNetworkNotInRegistry</c>.</summary>
    public string ErrorId { get; }

    /// <summary>The model file.</summary>
    public string Path { get; }
}

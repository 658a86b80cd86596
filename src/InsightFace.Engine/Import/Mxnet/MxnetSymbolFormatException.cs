namespace InsightFace.Engine.Import.Mxnet;

/// <summary>A <c>-symbol.json</c> file is not an MXNet symbol graph.</summary>
public sealed class MxnetSymbolFormatException : InsightFaceException
{
    /// <summary>Creates the exception; the message names the file and the node or key.</summary>
    public MxnetSymbolFormatException(string path, string message, Exception? inner = null)
        : base(ErrorIds.MxnetSymbolInvalid, message, inner) => Path = path;

    /// <summary>The file that was being read.</summary>
    public string Path { get; }
}

namespace InsightFace.Engine.Import.PyTorch;

/// <summary>A <c>.pth</c>/<c>.pt</c> file is not a PyTorch state dict we can read.</summary>
public sealed class PthFormatException : InsightFaceException
{
    /// <summary>Creates the exception; the message names the file and the entry, key or offset.</summary>
    public PthFormatException(string errorId, string path, string message, Exception? inner = null)
        : base(errorId, message, inner) => Path = path;

    /// <summary>The file that was being read.</summary>
    public string Path { get; }
}

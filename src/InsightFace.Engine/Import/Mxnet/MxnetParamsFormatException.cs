namespace InsightFace.Engine.Import.Mxnet;

/// <summary>A <c>.params</c> file is not a well-formed MXNet NDArray list.</summary>
public sealed class MxnetParamsFormatException : InsightFaceException
{
    /// <summary>Creates the exception; the message already names the file and the offset.</summary>
    public MxnetParamsFormatException(string errorId, string path, long offset, string message)
        : base(errorId, message)
    {
        Path = path;
        Offset = offset;
    }

    /// <summary>The file that was being read.</summary>
    public string Path { get; }

    /// <summary>Byte offset in the file where the problem starts.</summary>
    public long Offset { get; }
}

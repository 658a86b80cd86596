namespace InsightFace.Engine.Import.Mxnet;

/// <summary>A <c>.params</c> file is not a well-formed MXNet NDArray list.</summary>
public sealed class MxnetParamsFormatException : Exception
{
    /// <summary>Creates the exception; the message already names the file and the offset.</summary>
    public MxnetParamsFormatException(string errorId, string path, long offset, string message)
        : base(message)
    {
        ErrorId = errorId;
        Path = path;
        Offset = offset;
    }

    /// <summary>Stable identifier for the cmdlet layer, for example <c>MxnetParamsTruncated</c>.</summary>
    public string ErrorId { get; }

    /// <summary>The file that was being read.</summary>
    public string Path { get; }

    /// <summary>Byte offset in the file where the problem starts.</summary>
    public long Offset { get; }
}

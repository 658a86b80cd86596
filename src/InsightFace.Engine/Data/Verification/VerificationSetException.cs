namespace InsightFace.Engine.Data.Verification;

/// <summary>A verification set file (<c>.bin</c> or pairs list) that cannot be read or written as asked.</summary>
public sealed class VerificationSetException : InsightFaceException
{
    /// <summary>Creates the exception for <paramref name="path"/>.</summary>
    public VerificationSetException(string errorId, string path, string message, Exception? inner = null)
        : base(errorId, message, inner) => FilePath = path;

    /// <summary>The file that was being read or written.</summary>
    public string FilePath { get; }
}

namespace InsightFace.Engine.Data.Verification;

/// <summary>A verification set file (<c>.bin</c> or pairs list) that cannot be read or written as asked.</summary>
public sealed class VerificationSetException : Exception
{
    /// <summary>The file is not a Python pickle.</summary>
    public const string NotPickle = "VerificationBinNotPickle";
    /// <summary>The pickle ends before its STOP opcode.</summary>
    public const string Truncated = "VerificationBinTruncated";
    /// <summary>The number of images is not twice the number of issame flags.</summary>
    public const string CountMismatch = "VerificationBinCountMismatch";
    /// <summary>A pickle, but not <c>(bins, issame_list)</c> with supported entry types.</summary>
    public const string UnexpectedContent = "VerificationBinUnexpectedContent";
    /// <summary>The output exists and overwriting was not allowed.</summary>
    public const string OutputExists = "VerificationBinExists";
    /// <summary>A pairs-list line does not have the expected fields.</summary>
    public const string PairsLineInvalid = "PairsListLineInvalid";
    /// <summary>A pairs-list line names an image file that does not exist.</summary>
    public const string PairsImageNotFound = "PairsListImageNotFound";
    /// <summary>An image file named by a pair does not decode.</summary>
    public const string ImageInvalid = "PairsListImageInvalid";

    /// <summary>Creates the exception for <paramref name="path"/>.</summary>
    public VerificationSetException(string errorId, string path, string message, Exception? inner = null)
        : base(message, inner)
    {
        ErrorId = errorId;
        FilePath = path;
    }

    /// <summary>A stable PascalCase identifier of the failure, one of the constants of this class.</summary>
    public string ErrorId { get; }

    /// <summary>The file that was being read or written.</summary>
    public string FilePath { get; }
}

namespace InsightFace.Engine;

/// <summary>
/// The base of every error the engine raises on purpose: bad input, a missing file, an impossible setting. It carries
/// a stable <see cref="ErrorId"/> (one of <see cref="ErrorIds"/>) and its <see cref="Kind"/>; the message names the
/// file, the offset or key, and what was expected. Any other exception out of the engine is a bug.
/// </summary>
public abstract class InsightFaceException : Exception
{
    /// <summary>Creates the exception.</summary>
    protected InsightFaceException(string errorId, string message, Exception? inner = null) : base(message, inner) =>
        ErrorId = errorId;

    /// <summary>A stable PascalCase id, one of <see cref="ErrorIds"/>; scripts and tests match on it.</summary>
    public string ErrorId { get; }

    /// <summary>The kind of failure, from the id.</summary>
    public ErrorKind Kind => ErrorIds.KindOf(ErrorId);
}

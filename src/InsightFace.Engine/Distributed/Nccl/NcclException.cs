namespace InsightFace.Engine.Distributed.Nccl;

/// <summary>
/// NCCL cannot be used: the library is missing (<see cref="ErrorIds.NcclNotFound"/>), a call failed
/// (<see cref="ErrorIds.NcclCallFailed"/>), or the ranks could not meet to share the communicator's id
/// (<see cref="ErrorIds.RendezvousFailed"/>).
/// </summary>
public sealed class NcclException : InsightFaceException
{
    /// <summary>Creates the exception.</summary>
    public NcclException(string errorId, string message, Exception? inner = null) : base(errorId, message, inner) { }
}

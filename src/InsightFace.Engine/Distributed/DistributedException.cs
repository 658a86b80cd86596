namespace InsightFace.Engine.Distributed;

/// <summary>A multi-process job cannot start or go on: no MPI library, an MPI call that failed, bad launcher variables.</summary>
public sealed class DistributedException : InsightFaceException
{
    /// <summary>Creates the exception.</summary>
    public DistributedException(string errorId, string message, Exception? inner = null) : base(errorId, message, inner) { }
}

namespace InsightFace.Engine.Distributed;

/// <summary>
/// A worker of a multi-process training failed: its own error, with its id, or <see cref="ErrorIds.WorkerFailed"/>
/// when it ended without saying why. The message names the rank when there are several.
/// </summary>
public sealed class WorkerFailedException : InsightFaceException
{
    /// <summary>Creates the exception for <paramref name="error"/>, one of <paramref name="worldSize"/> ranks (a job of one keeps the worker's message as it is).</summary>
    public WorkerFailedException(WorkerError error, int worldSize)
        : base(error.ErrorId, worldSize == 1 ? error.Message : $"Rank {error.Rank} of {worldSize} failed: {error.Message}") =>
        Rank = error.Rank;

    /// <summary>The rank that failed.</summary>
    public int Rank { get; }
}

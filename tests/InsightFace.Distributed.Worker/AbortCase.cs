using InsightFace.Engine.Distributed;

namespace InsightFace.Distributed.Worker;

/// <summary>
/// Rank 1 throws between two barriers; the others wait in the second one for it. Only the worker's Abort, called
/// on rank 1, ends them: without it the job would hang until the test's timeout.
/// </summary>
internal static class AbortCase
{
    /// <summary>The message rank 1 fails with; the test looks for it in the job's output.</summary>
    public const string Message = "rank 1 fails on purpose to test the abort";

    public static void Run(ICollectives collectives, string[] arguments)
    {
        if (collectives.WorldSize < 2) throw new InvalidOperationException("the abort case needs at least 2 ranks");
        collectives.Barrier();
        if (collectives.Rank == 1) throw new InvalidOperationException(Message);
        collectives.Barrier();
        throw new InvalidOperationException("passed a barrier that rank 1 never reached");
    }
}

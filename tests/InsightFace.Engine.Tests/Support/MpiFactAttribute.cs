namespace InsightFace.Engine.Tests.Support;

/// <summary>
/// A fact that starts a job under one MPI: skipped with a clear message where that MPI is not installed; run (and so
/// failing) when <see cref="MpiRun.RequireVariable"/> is 1.
/// </summary>
public sealed class MpiFactAttribute : FactAttribute
{
    /// <summary>Names the MPI the test starts its job with.</summary>
    public MpiFactAttribute(Mpi mpi) => Skip = MpiRun.SkipReason(mpi);
}

/// <summary>A theory that starts jobs under one MPI, skipped like <see cref="MpiFactAttribute"/>.</summary>
public sealed class MpiTheoryAttribute : TheoryAttribute
{
    /// <summary>Names the MPI the test starts its jobs with.</summary>
    public MpiTheoryAttribute(Mpi mpi) => Skip = MpiRun.SkipReason(mpi);
}

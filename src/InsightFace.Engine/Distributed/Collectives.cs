namespace InsightFace.Engine.Distributed;

/// <summary>Chooses the collectives of this process's job.</summary>
public static class Collectives
{
    /// <summary>
    /// <see cref="SingleProcessCollectives.Instance"/> when no launcher started this process as one of several
    /// (<see cref="JobEnvironment"/>), else <see cref="MpiCollectives.World"/>, which the caller disposes at the end.
    /// </summary>
    /// <exception cref="DistributedException">Bad launcher variables (LaunchVariableInvalid), no MPI library
    /// (MpiNotInstalled), or an MPI world that is not the launcher's (MpiWorldMismatch).</exception>
    public static ICollectives ForThisProcess() =>
        JobEnvironment.FromProcess().WorldSize == 1 ? SingleProcessCollectives.Instance : MpiCollectives.World;
}

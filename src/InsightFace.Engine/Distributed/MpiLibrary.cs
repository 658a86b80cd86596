using System.Runtime.InteropServices;

namespace InsightFace.Engine.Distributed;

/// <summary>Finds the system MPI library that the multi-process collectives bind to.</summary>
public static class MpiLibrary
{
    /// <summary>Open MPI 4.x's soname (Debian's <c>openmpi-bin</c>).</summary>
    public const string OpenMpi = "libmpi.so.40";

    /// <summary>MPICH 4.x's soname (Debian's <c>mpich</c>).</summary>
    public const string Mpich = "libmpich.so.12";

    /// <summary>Sonames tried in order where the launcher does not decide: Open MPI 4.x, then MPICH 4.x (the two Debian ships).</summary>
    public static IReadOnlyList<string> Candidates { get; } = [OpenMpi, Mpich];

    /// <summary>
    /// The sonames to try under <paramref name="launcher"/>. Each <c>mpiexec</c> can only start its own library's
    /// ranks: under the other's, every process would wake up as a job of one. srun and the rest take either.
    /// </summary>
    public static IReadOnlyList<string> CandidatesFor(JobLauncher launcher) => launcher switch
    {
        JobLauncher.OpenMpi => [OpenMpi],
        JobLauncher.Mpich => [Mpich],
        _ => Candidates,
    };

    /// <summary>The library a job started like this process would use, or null when it does not load (MPI not installed).</summary>
    public static string? Locate()
    {
        JobLauncher launcher;
        try
        {
            launcher = JobEnvironment.FromProcess().Launcher;
        }
        catch (DistributedException)
        {
            // Bad launcher variables fail the job that reads them; a report only asks whether MPI is there.
            launcher = JobLauncher.None;
        }
        foreach (var name in CandidatesFor(launcher))
        {
            if (!NativeLibrary.TryLoad(name, out var handle)) continue;
            NativeLibrary.Free(handle);
            return name;
        }
        return null;
    }

    /// <summary>Loads the first of <paramref name="candidates"/> that the dynamic loader can open; it stays loaded.</summary>
    /// <exception cref="DistributedException">None loads (MpiNotInstalled); the message names the Debian packages.</exception>
    internal static (nint Handle, string Name) Load(IReadOnlyList<string> candidates)
    {
        foreach (var name in candidates)
            if (NativeLibrary.TryLoad(name, out var handle)) return (handle, name);
        throw new DistributedException(ErrorIds.MpiNotInstalled,
            $"No MPI library loads ({string.Join(", ", candidates)}); a job of several processes needs one. " +
            "Install Debian's 'mpich' (libmpich.so.12) or 'openmpi-bin' (libmpi.so.40): apt-get install mpich, and " +
            "start the job with the mpiexec of the same MPI.");
    }
}

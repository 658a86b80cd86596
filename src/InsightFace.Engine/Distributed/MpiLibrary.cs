using System.Runtime.InteropServices;

namespace InsightFace.Engine.Distributed;

/// <summary>Finds the system MPI library that the multi-process collectives bind to.</summary>
public static class MpiLibrary
{
    /// <summary>Sonames tried in order: Open MPI 4.x, then MPICH 4.x (the two Debian ships).</summary>
    public static IReadOnlyList<string> Candidates { get; } = new[] { "libmpi.so.40", "libmpich.so.12" };

    /// <summary>The first candidate that the dynamic loader can open, or null when MPI is not installed.</summary>
    public static string? Locate()
    {
        foreach (var name in Candidates)
        {
            if (!NativeLibrary.TryLoad(name, out var handle)) continue;
            NativeLibrary.Free(handle);
            return name;
        }
        return null;
    }
}

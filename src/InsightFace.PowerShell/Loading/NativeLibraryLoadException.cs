namespace InsightFace.PowerShell.Loading;

/// <summary>A native library of the engine could not be loaded; names the library, the path tried and why.</summary>
public sealed class NativeLibraryLoadException : Exception
{
    /// <summary>Creates the exception from the loader's own reason (dlerror on Linux).</summary>
    public NativeLibraryLoadException(string library, string path, string reason)
        : base($"InsightFace could not load the native library '{library}' from '{path}': {reason}. " +
               "Rebuild the module with build.ps1 (it lays out every native library in Dependencies/ and applies the " +
               "Debian 12 libstdc++ fix), check that INSIGHTFACE_LIBTORCH, if set, points at a libtorch 2.10 folder, " +
               $"and run 'ldd {path}' to see which dependency is missing.")
    {
        Library = library;
        Path = path;
        Reason = reason;
    }

    /// <summary>File name of the library, for example libLibTorchSharp.so.</summary>
    public string Library { get; }

    /// <summary>Full path that was tried.</summary>
    public string Path { get; }

    /// <summary>The dynamic loader's explanation.</summary>
    public string Reason { get; }
}

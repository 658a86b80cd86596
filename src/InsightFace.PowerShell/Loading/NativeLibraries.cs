using System.Runtime.InteropServices;

namespace InsightFace.PowerShell.Loading;

/// <summary>
/// Finds and loads the engine's native libraries by full path. Loading libtorch in dependency order, by full path,
/// keeps an LD_LIBRARY_PATH that points at another libtorch from winning, and gives one clear error (with the
/// loader's reason) instead of TorchSharp's misleading "doesn't contain a reference to libtorch-cpu-linux-x64".
/// </summary>
internal sealed class NativeLibraries
{
    /// <summary>libtorch and TorchSharp's shim, in the order their DT_NEEDED entries require.</summary>
    private static readonly string[] LoadOrder =
    {
        "libgomp*.so.1", "libc10.so", "libc10_cuda.so", "libtorch_cpu.so", "libtorch_cuda.so", "libtorch.so",
        "libLibTorchSharp.so",
    };

    /// <summary>Libraries that every build must provide; the others are optional (CUDA, OpenMP).</summary>
    private static readonly HashSet<string> Required = new(StringComparer.Ordinal)
    {
        "libc10.so", "libtorch_cpu.so", "libtorch.so", "libLibTorchSharp.so",
    };

    private readonly string[] _folders;
    private bool _loaded;

    /// <summary>Searches <paramref name="externalLibTorch"/>'s lib folder (when given) before <paramref name="dependencies"/>.</summary>
    public NativeLibraries(string dependencies, string? externalLibTorch)
    {
        _folders = string.IsNullOrEmpty(externalLibTorch)
            ? new[] { dependencies }
            : new[] { Path.Combine(externalLibTorch, "lib"), externalLibTorch, dependencies };
    }

    /// <summary>Loads libtorch and LibTorchSharp once per process; throws <see cref="NativeLibraryLoadException"/>.</summary>
    public void EnsureLoaded()
    {
        if (_loaded || !OperatingSystem.IsLinux()) return;
        foreach (var pattern in LoadOrder)
        {
            var path = FindFile(pattern);
            if (path is null)
            {
                if (Required.Contains(pattern))
                    throw new NativeLibraryLoadException(pattern, Path.Combine(_folders[^1], pattern), "the file does not exist");
                continue;
            }
            Load(path);
        }
        _loaded = true;
    }

    /// <summary>Maps a DllImport name (LibTorchSharp, torch_cpu, libSkiaSharp, onnxruntime) to a file, or null.</summary>
    public string? Resolve(string name)
    {
        foreach (var candidate in new[] { name, $"lib{name}.so", $"{name}.so", $"lib{name}" })
            if (FindFile(candidate) is { } path) return path;
        return null;
    }

    private string? FindFile(string pattern)
    {
        foreach (var folder in _folders)
        {
            if (!Directory.Exists(folder)) continue;
            var match = pattern.Contains('*')
                ? Directory.EnumerateFiles(folder, pattern).Order(StringComparer.Ordinal).FirstOrDefault()
                : Path.Combine(folder, pattern);
            if (match is not null && File.Exists(match)) return match;
        }
        return null;
    }

    private static void Load(string path)
    {
        // dlopen directly so that the error carries dlerror's text verbatim. The first dlerror call binds its P/Invoke
        // stub (binding runs dlsym, which would otherwise clear the error we want to read) and clears stale errors.
        Dl.Error();
        if (Dl.Open(path, Dl.RtldLazy) != IntPtr.Zero) return;
        var reason = Marshal.PtrToStringUTF8(Dl.Error()) ?? "unknown reason";
        throw new NativeLibraryLoadException(Path.GetFileName(path), path, reason);
    }

    private static class Dl
    {
        public const int RtldLazy = 1;

        [DllImport("libc.so.6", EntryPoint = "dlopen")]
        public static extern IntPtr Open(string path, int flags);

        [DllImport("libc.so.6", EntryPoint = "dlerror")]
        public static extern IntPtr Error();
    }
}

using System.Reflection;
using System.Runtime.Loader;
using System.Text.RegularExpressions;
using InsightFace.Engine.Distributed;
using TorchSharp;

namespace InsightFace.Engine.Runtime;

/// <summary>Collects a <see cref="RuntimeReport"/>; the first thing to look at when something is wrong.</summary>
public static partial class RuntimeInspector
{
    /// <summary>Environment variable naming an external libtorch folder (with <c>lib/</c> and <c>build-version</c>).</summary>
    public const string LibTorchVariable = "INSIGHTFACE_LIBTORCH";

    /// <summary>Initialises libtorch on the CPU if needed and reports what is loaded.</summary>
    public static RuntimeReport Inspect()
    {
        // Touching torch runs its static initialiser, which loads the CPU backend.
        var threads = torch.get_num_threads();
        var (cudaCount, cudaStatus) = ProbeCuda();
        var natives = LoadedNativeLibraries();
        var libtorch = natives.FirstOrDefault(p => Path.GetFileName(p) == "libtorch_cpu.so");
        var engine = typeof(RuntimeInspector).Assembly;

        return new RuntimeReport
        {
            TorchSharpVersion = InformationalVersion(typeof(torch).Assembly),
            LibTorchVersion = ExternalBuildVersion() ?? Metadata(engine, "LibTorchVersion") ?? "unknown",
            LibTorchPath = libtorch is null ? "(not loaded)" : Path.GetDirectoryName(libtorch)!,
            Backend = Metadata(engine, "TorchBackend") ?? "cpu",
            CpuThreads = threads,
            ProcessorCount = Environment.ProcessorCount,
            CudaDeviceCount = cudaCount,
            CudaStatus = cudaStatus,
            MpiLibrary = MpiLibrary.Locate(),
            NativeLibraries = natives,
            ManagedDependencies = LoadedManagedAssemblies(engine),
        };
    }

    /// <summary>Paths of the libraries of interest (libtorch, its runtime, codecs, MPI, CUDA) mapped into this process.</summary>
    public static IReadOnlyList<string> LoadedNativeLibraries()
    {
        const string maps = "/proc/self/maps";
        if (!File.Exists(maps)) return Array.Empty<string>();
        return File.ReadLines(maps)
            .Select(line => line.IndexOf('/') is var at and >= 0 ? line[at..] : null)
            .Where(path => path is not null && InterestingLibrary().IsMatch(Path.GetFileName(path)))
            .Select(path => path!)
            .Distinct(StringComparer.Ordinal)
            .ToArray();
    }

    private static (int Count, string? Status) ProbeCuda()
    {
        try
        {
            return torch.cuda.is_available() ? (torch.cuda.device_count(), null) : (0, "no CUDA backend or device");
        }
        catch (Exception e) when (e is InvalidOperationException or NotSupportedException or DllNotFoundException)
        {
            return (0, e.Message.Split('\n', 2)[0]);
        }
    }

    private static string? ExternalBuildVersion()
    {
        var folder = Environment.GetEnvironmentVariable(LibTorchVariable);
        if (string.IsNullOrEmpty(folder)) return null;
        var file = Path.Combine(folder, "build-version");
        return File.Exists(file) ? File.ReadAllText(file).Trim() : null;
    }

    // In the module the engine has a private load context: resolve every managed file beside the engine through it,
    // which shows the versions scripts cannot see and proves each one loads. Elsewhere (tests), list what is loaded.
    private static IReadOnlyList<string> LoadedManagedAssemblies(Assembly engine)
    {
        var context = AssemblyLoadContext.GetLoadContext(engine) ?? AssemblyLoadContext.Default;
        var assemblies = context == AssemblyLoadContext.Default
            ? context.Assemblies
            : Directory.EnumerateFiles(Path.GetDirectoryName(engine.Location)!, "*.dll")
                .Select(ManagedName)
                .Where(name => name is not null)
                .Select(name => context.LoadFromAssemblyName(name!));
        return assemblies
            .Select(a => a.GetName())
            .Where(n => n.Name is not null && !n.Name.StartsWith("System.", StringComparison.Ordinal))
            .Select(n => $"{n.Name} {n.Version}")
            .Order(StringComparer.Ordinal)
            .ToArray();
    }

    private static AssemblyName? ManagedName(string path)
    {
        try
        {
            return AssemblyName.GetAssemblyName(path);
        }
        catch (BadImageFormatException)
        {
            return null; // a native library that happens to end in .dll
        }
    }

    private static string InformationalVersion(Assembly assembly) =>
        assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0]
        ?? assembly.GetName().Version?.ToString() ?? "unknown";

    private static string? Metadata(Assembly assembly, string key) =>
        assembly.GetCustomAttributes<AssemblyMetadataAttribute>().FirstOrDefault(a => a.Key == key)?.Value;

    [GeneratedRegex(@"^lib(torch|c10|gomp|LibTorchSharp|SkiaSharp|onnxruntime|mpi|nccl|cud|cublas|stdc\+\+)")]
    private static partial Regex InterestingLibrary();
}

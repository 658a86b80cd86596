using System.Reflection;
using System.Runtime.Loader;

namespace InsightFace.PowerShell.Loading;

/// <summary>
/// The private load context of the engine: InsightFace.Engine and every managed and native dependency it has
/// (TorchSharp, YamlDotNet, Google.Protobuf, SkiaSharp, ...) come from the module's Dependencies/ folder, so other
/// modules' versions of the same assemblies cannot clash with ours. One per process: native libtorch cannot unload.
/// </summary>
internal sealed class EngineLoadContext : AssemblyLoadContext
{
    /// <summary>Environment variable naming an external libtorch folder, searched before Dependencies/.</summary>
    public const string LibTorchVariable = "INSIGHTFACE_LIBTORCH";

    private static readonly Lazy<EngineLoadContext> Shared = new(() => new EngineLoadContext(DefaultDependencies()));

    private readonly string _dependencies;

    private EngineLoadContext(string dependencies) : base("InsightFace.Engine")
    {
        _dependencies = dependencies;
        Natives = new NativeLibraries(dependencies, Environment.GetEnvironmentVariable(LibTorchVariable));
    }

    /// <summary>The process-wide context.</summary>
    public static EngineLoadContext Instance => Shared.Value;

    /// <summary>The engine's native libraries.</summary>
    public NativeLibraries Natives { get; }

    /// <inheritdoc />
    protected override Assembly? Load(AssemblyName assemblyName)
    {
        var path = Path.Combine(_dependencies, assemblyName.Name + ".dll");
        return File.Exists(path) ? LoadFromAssemblyPath(path) : null;
    }

    /// <inheritdoc />
    protected override IntPtr LoadUnmanagedDll(string unmanagedDllName)
    {
        var path = Natives.Resolve(unmanagedDllName);
        return path is null ? IntPtr.Zero : LoadUnmanagedDllFromPath(path);
    }

    private static string DefaultDependencies() =>
        Path.Combine(Path.GetDirectoryName(typeof(EngineLoadContext).Assembly.Location)!, "Dependencies");
}

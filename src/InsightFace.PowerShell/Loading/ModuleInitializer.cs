using System.Management.Automation;
using System.Reflection;
using System.Runtime.CompilerServices;
using System.Runtime.Loader;
using InsightFace.Engine.Runtime;

namespace InsightFace.PowerShell.Loading;

/// <summary>
/// Runs on Import-Module and Remove-Module: hands requests for InsightFace.Engine to the private load context and
/// loads libtorch up front, so that a broken installation fails the import with one clear error, and turns
/// libtorch's NNPACK off (<see cref="Nnpack"/>), so that logs carry no NNPACK warning.
/// </summary>
public sealed class ModuleInitializer : IModuleAssemblyInitializer, IModuleAssemblyCleanup
{
    private const string EngineName = "InsightFace.Engine";

    /// <summary>Hooks engine resolution and loads the native libraries.</summary>
    public void OnImport()
    {
        EngineLoadContext.Instance.Natives.EnsureLoaded();
        AssemblyLoadContext.Default.Resolving += ResolveEngine;
        ConfigureLibTorch();
    }

    /// <summary>
    /// Process-wide libtorch settings, made once before any model runs. Not inlined: the engine assembly it names can
    /// only be resolved once the hook above is in place.
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void ConfigureLibTorch() => Nnpack.TurnOff();

    /// <summary>Unhooks engine resolution. The engine itself stays loaded: native libtorch cannot unload.</summary>
    public void OnRemove(PSModuleInfo psModuleInfo) => AssemblyLoadContext.Default.Resolving -= ResolveEngine;

    private static Assembly? ResolveEngine(AssemblyLoadContext context, AssemblyName name) =>
        name.Name == EngineName ? EngineLoadContext.Instance.LoadFromAssemblyName(name) : null;
}

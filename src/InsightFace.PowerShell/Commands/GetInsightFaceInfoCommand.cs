using System.Management.Automation;
using System.Runtime.InteropServices;
using InsightFace.Engine.Runtime;
using InsightFace.PowerShell.Loading;

namespace InsightFace.PowerShell.Commands;

/// <summary>Shows the versions, devices, MPI support and native libraries of the InsightFace engine.</summary>
/// <remarks>
/// <para>Get-InsightFaceInfo is the first thing to run when something does not work. It reports the module,
/// TorchSharp and libtorch versions, the folder libtorch was loaded from, the libtorch backend of this build (cpu
/// or cuda), the CPU threads and CUDA devices libtorch sees, whether a system MPI library is available for
/// multi-process training, the full paths of the native libraries actually mapped into this process, and the
/// managed assemblies of the engine's private load context.</para>
/// <para>With -Device it also checks that a device can be used. Asking for cuda on a machine or build without CUDA
/// writes a DeviceUnavailable error that says why and what to change; the module never falls back to the CPU
/// silently.</para>
/// <para>The settings it reads are INSIGHTFACE_LIBTORCH (a libtorch 2.10 folder to load instead of the bundled one,
/// used by GPU builds) and LD_LIBRARY_PATH, which it shows because it can make the loader pick up another libtorch's
/// libraries.</para>
/// </remarks>
/// <example>
/// <code>Get-InsightFaceInfo</code>
/// <para>Shows the versions, devices and loaded native libraries.</para>
/// </example>
/// <example>
/// <code>Get-InsightFaceInfo -Device cuda -ErrorAction Stop</code>
/// <para>Fails with a DeviceUnavailable error unless a CUDA build of the module sees a GPU.</para>
/// </example>
/// <example>
/// <code>(Get-InsightFaceInfo).NativeLibraries</code>
/// <para>Lists the full paths of libtorch, LibTorchSharp and the other native libraries loaded into this process.</para>
/// </example>
[Cmdlet(VerbsCommon.Get, "InsightFaceInfo")]
[OutputType(typeof(InsightFaceInfo))]
public sealed class GetInsightFaceInfoCommand : InsightFaceCmdlet
{
    /// <summary>A device to check: cpu, cuda or cuda:N.</summary>
    [Parameter(Position = 0)]
    [ValidateNotNullOrEmpty]
    public string? Device { get; set; }

    /// <inheritdoc />
    protected override void EndProcessing()
    {
        var report = RuntimeInspector.Inspect();
        var info = new InsightFaceInfo
        {
            ModuleVersion = MyInvocation.MyCommand.Module?.Version.ToString() ?? "",
            ModulePath = MyInvocation.MyCommand.Module?.ModuleBase ?? "",
            TorchSharpVersion = report.TorchSharpVersion,
            LibTorchVersion = report.LibTorchVersion,
            LibTorchPath = report.LibTorchPath,
            Backend = report.Backend,
            CpuThreads = report.CpuThreads,
            ProcessorCount = report.ProcessorCount,
            CudaDeviceCount = report.CudaDeviceCount,
            CudaStatus = report.CudaStatus ?? "",
            MpiAvailable = report.MpiLibrary is not null,
            MpiLibrary = report.MpiLibrary ?? "",
            NativeLibraries = report.NativeLibraries.ToArray(),
            ManagedDependencies = report.ManagedDependencies.ToArray(),
            LibTorchSetting = Environment.GetEnvironmentVariable(EngineLoadContext.LibTorchVariable) ?? "",
            LdLibraryPath = Environment.GetEnvironmentVariable("LD_LIBRARY_PATH") ?? "",
            Runtime = RuntimeInformation.FrameworkDescription,
            OperatingSystem = RuntimeInformation.OSDescription,
        };
        if (Device is not null) ReportErrors(Device, () => info.Device = DeviceSelector.Check(Device));
        WriteObject(info);
    }
}

namespace InsightFace;

/// <summary>What Get-InsightFaceInfo reports: versions, devices, MPI and the native libraries loaded.</summary>
public sealed class InsightFaceInfo
{
    /// <summary>Version of the InsightFace module.</summary>
    public string ModuleVersion { get; set; } = "";

    /// <summary>Folder the module was imported from.</summary>
    public string ModulePath { get; set; } = "";

    /// <summary>TorchSharp version.</summary>
    public string TorchSharpVersion { get; set; } = "";

    /// <summary>libtorch version.</summary>
    public string LibTorchVersion { get; set; } = "";

    /// <summary>Folder libtorch was loaded from.</summary>
    public string LibTorchPath { get; set; } = "";

    /// <summary>The libtorch backend of this build: cpu or cuda.</summary>
    public string Backend { get; set; } = "";

    /// <summary>Threads libtorch uses.</summary>
    public int CpuThreads { get; set; }

    /// <summary>Logical processors of this machine.</summary>
    public int ProcessorCount { get; set; }

    /// <summary>CUDA devices libtorch can use.</summary>
    public int CudaDeviceCount { get; set; }

    /// <summary>Why CUDA is unavailable; empty when it is available.</summary>
    public string CudaStatus { get; set; } = "";

    /// <summary>The device checked with -Device, when it is usable (for example cuda:0).</summary>
    public string Device { get; set; } = "";

    /// <summary>True when a system MPI library was found for multi-process training.</summary>
    public bool MpiAvailable { get; set; }

    /// <summary>The MPI library found, for example libmpi.so.40.</summary>
    public string MpiLibrary { get; set; } = "";

    /// <summary>Full paths of libtorch, TorchSharp, codec, MPI and CUDA libraries mapped into this process.</summary>
    public string[] NativeLibraries { get; set; } = Array.Empty<string>();

    /// <summary>"Name Version" of the managed assemblies in the engine's private load context.</summary>
    public string[] ManagedDependencies { get; set; } = Array.Empty<string>();

    /// <summary>The INSIGHTFACE_LIBTORCH setting, if any.</summary>
    public string LibTorchSetting { get; set; } = "";

    /// <summary>LD_LIBRARY_PATH, which can make the loader pick another libtorch's dependencies.</summary>
    public string LdLibraryPath { get; set; } = "";

    /// <summary>.NET runtime description.</summary>
    public string Runtime { get; set; } = "";

    /// <summary>Operating system description.</summary>
    public string OperatingSystem { get; set; } = "";
}

namespace InsightFace.Engine.Runtime;

/// <summary>What the engine found about its own runtime: versions, devices, and the native code loaded.</summary>
public sealed record RuntimeReport
{
    /// <summary>Informational version of TorchSharp.dll.</summary>
    public required string TorchSharpVersion { get; init; }
    /// <summary>The libtorch version, from libtorch's build-version file or the restored package.</summary>
    public required string LibTorchVersion { get; init; }
    /// <summary>The folder that libtorch_cpu.so was loaded from.</summary>
    public required string LibTorchPath { get; init; }
    /// <summary><c>cpu</c> or <c>cuda</c>: the libtorch backend this build references.</summary>
    public required string Backend { get; init; }
    /// <summary>Threads libtorch uses for intra-op parallelism.</summary>
    public required int CpuThreads { get; init; }
    /// <summary>Logical processors seen by .NET.</summary>
    public required int ProcessorCount { get; init; }
    /// <summary>CUDA devices libtorch can use (0 without a CUDA backend).</summary>
    public required int CudaDeviceCount { get; init; }
    /// <summary>Why CUDA is not available, or null when it is.</summary>
    public string? CudaStatus { get; init; }
    /// <summary>The MPI library found, or null.</summary>
    public string? MpiLibrary { get; init; }
    /// <summary>Full paths of the native libraries of interest mapped into this process.</summary>
    public required IReadOnlyList<string> NativeLibraries { get; init; }
    /// <summary>"Name Version" of each managed assembly loaded in the engine's load context.</summary>
    public required IReadOnlyList<string> ManagedDependencies { get; init; }
}

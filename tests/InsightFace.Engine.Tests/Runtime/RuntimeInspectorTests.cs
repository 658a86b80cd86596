using InsightFace.Engine.Runtime;
using TorchSharp;

namespace InsightFace.Engine.Tests.Runtime;

public class RuntimeInspectorTests
{
    [Fact]
    public void Reports_libtorch_2_10_its_backend_and_devices_with_the_libraries_actually_loaded()
    {
        var report = RuntimeInspector.Inspect();

        Assert.Equal("0.107.0", report.TorchSharpVersion);
        Assert.Equal("2.10.0", report.LibTorchVersion);
        // The build decides the backend (-p:TorchBackend), and a CUDA build ships libtorch_cuda.so beside libtorch_cpu.so.
        var cudaBuild = File.Exists(Path.Combine(report.LibTorchPath, "libtorch_cuda.so"));
        Assert.Equal(cudaBuild ? "cuda" : "cpu", report.Backend);
        Assert.True(report.CpuThreads >= 1);
        // The machine decides the devices: none on a CPU build, and a status saying why whenever there are none.
        if (!cudaBuild) Assert.Equal(0, report.CudaDeviceCount);
        Assert.Equal(torch.cuda.is_available() ? torch.cuda.device_count() : 0, report.CudaDeviceCount);
        Assert.Equal(report.CudaDeviceCount == 0, report.CudaStatus is not null);
        Assert.Contains(report.NativeLibraries, p => Path.GetFileName(p) == "libLibTorchSharp.so");
        Assert.Contains(report.NativeLibraries, p => Path.GetFileName(p) == "libtorch_cpu.so");
        Assert.Equal(Path.GetDirectoryName(report.NativeLibraries.First(p => p.EndsWith("libtorch_cpu.so")))!, report.LibTorchPath);
        Assert.All(report.NativeLibraries, p => Assert.True(Path.IsPathRooted(p)));
    }
}

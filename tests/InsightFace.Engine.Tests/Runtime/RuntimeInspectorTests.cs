using InsightFace.Engine.Runtime;

namespace InsightFace.Engine.Tests.Runtime;

public class RuntimeInspectorTests
{
    [Fact]
    public void Reports_libtorch_2_10_on_the_cpu_with_the_libraries_actually_loaded()
    {
        var report = RuntimeInspector.Inspect();

        Assert.Equal("0.107.0", report.TorchSharpVersion);
        Assert.Equal("2.10.0", report.LibTorchVersion);
        Assert.Equal("cpu", report.Backend);
        Assert.True(report.CpuThreads >= 1);
        Assert.Equal(0, report.CudaDeviceCount);
        Assert.NotNull(report.CudaStatus);
        Assert.Contains(report.NativeLibraries, p => Path.GetFileName(p) == "libLibTorchSharp.so");
        Assert.Contains(report.NativeLibraries, p => Path.GetFileName(p) == "libtorch_cpu.so");
        Assert.Equal(Path.GetDirectoryName(report.NativeLibraries.First(p => p.EndsWith("libtorch_cpu.so")))!, report.LibTorchPath);
        Assert.All(report.NativeLibraries, p => Assert.True(Path.IsPathRooted(p)));
    }
}

using InsightFace.Engine.Runtime;
using InsightFace.Engine.Tests.Support;
using TorchSharp;

namespace InsightFace.Engine.Tests.Runtime;

public class DeviceSelectorTests
{
    [Fact]
    public void Cpu_resolves_to_the_cpu_device()
    {
        Assert.Equal(DeviceType.CPU, DeviceSelector.Resolve("cpu").type);
        Assert.Equal(DeviceType.CPU, DeviceSelector.Resolve(" CPU ").type);
        Assert.Equal("cpu", DeviceSelector.Check("cpu"));
    }

    [Theory]
    [InlineData("gpu")]
    [InlineData("cuda:x")]
    [InlineData("")]
    public void Unknown_device_strings_are_rejected(string device)
    {
        var e = Assert.Throws<DeviceUnavailableException>(() => DeviceSelector.Resolve(device));
        Assert.Equal(ErrorIds.DeviceInvalid, e.ErrorId);
        Assert.Contains("cpu, cuda or cuda:N", e.Message);
    }

    [WithoutCudaFact]
    public void Cuda_without_a_gpu_fails_instead_of_falling_back()
    {
        var e = Assert.Throws<DeviceUnavailableException>(() => DeviceSelector.Resolve("cuda"));
        Assert.Equal("cuda", e.Device);
        Assert.Contains("-Device cpu", e.Message);
        Assert.Contains("TorchBackend=cuda", e.Message);
    }
}

using TorchSharp;

namespace InsightFace.Engine.Runtime;

/// <summary>Turns a configured device string into a TorchSharp device, never falling back silently.</summary>
public static class DeviceSelector
{
    /// <summary>
    /// Resolves <c>cpu</c>, <c>cuda</c> or <c>cuda:N</c>. Asking for CUDA where it cannot run throws
    /// <see cref="DeviceUnavailableException"/> instead of quietly running on the CPU.
    /// </summary>
    public static torch.Device Resolve(string device)
    {
        var spec = device.Trim().ToLowerInvariant();
        if (spec == "cpu") return torch.CPU;
        if (spec != "cuda" && !spec.StartsWith("cuda:", StringComparison.Ordinal))
            throw Invalid(device);

        var index = 0;
        if (spec.Length > 4 && !int.TryParse(spec.AsSpan(5), out index))
            throw Invalid(device);

        EnsureCuda(device);
        var count = torch.cuda.device_count();
        if (index < 0 || index >= count)
            throw new DeviceUnavailableException(device, $"Device '{device}' was requested but this machine has {count} CUDA device(s).");
        return torch.device(DeviceType.CUDA, index);
    }

    /// <summary>Checks that <paramref name="device"/> can be used and returns its canonical name (cpu, cuda:0).</summary>
    public static string Check(string device) => Resolve(device).ToString();

    private static void EnsureCuda(string device)
    {
        const string remedy = "CUDA needs a GPU build of the module (dotnet build -p:TorchBackend=cuda) or " +
                              "INSIGHTFACE_LIBTORCH pointing at a CUDA libtorch 2.10 folder, and a visible NVIDIA GPU. " +
                              "Use -Device cpu to run on the CPU.";
        try
        {
            torch.InitializeDeviceType(DeviceType.CUDA);
        }
        catch (Exception e) when (e is InvalidOperationException or NotSupportedException or DllNotFoundException)
        {
            throw new DeviceUnavailableException(device,
                $"Device '{device}' was requested but the CUDA backend of libtorch did not load: {FirstLine(e.Message)} {remedy}", e);
        }
        if (!torch.cuda.is_available())
            throw new DeviceUnavailableException(device, $"Device '{device}' was requested but libtorch sees no CUDA device. {remedy}");
    }

    private static DeviceUnavailableException Invalid(string device) =>
        new(ErrorIds.DeviceInvalid, device, $"Unknown device '{device}'. Expected cpu, cuda or cuda:N.");

    private static string FirstLine(string text) => text.Split('\n', 2)[0].Trim();
}

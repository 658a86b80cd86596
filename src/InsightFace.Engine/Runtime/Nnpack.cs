using System.Runtime.InteropServices;

namespace InsightFace.Engine.Runtime;

/// <summary>
/// libtorch's NNPACK convolutions, which this engine turns off. On the CPU, libtorch asks whether NNPACK is available
/// whenever oneDNN does not take a float convolution (at batch 1, small 1x1 convolutions), and the first time it asks
/// on a CPU NNPACK cannot run on it prints "Could not initialize NNPACK! Reason: Unsupported hardware." on stderr.
/// Turning NNPACK off costs nothing: libtorch would only choose it for batches of 16 or more, which oneDNN always
/// takes first (ConvParams::use_mkldnn, use_nnpack in ATen's Convolution.cpp). This is
/// <c>torch.backends.nnpack.set_flags(False)</c>, which TorchSharp does not expose.
/// </summary>
public static partial class Nnpack
{
    /// <summary>Whether libtorch may use NNPACK in this process; null where this libtorch cannot be asked.</summary>
    public static bool? Enabled
    {
        get
        {
            try
            {
                return OperatingSystem.IsLinux() ? UserEnabledNNPACK(GlobalContext()) : null;
            }
            catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
            {
                return null;
            }
        }
    }

    /// <summary>
    /// Turns NNPACK off for this process, before any convolution asks for it. Returns false, changing nothing, where
    /// this libtorch does not export the setting (another platform's name mangling, or another version).
    /// </summary>
    public static bool TurnOff()
    {
        try
        {
            if (!OperatingSystem.IsLinux()) return false;
            SetUserEnabledNNPACK(GlobalContext(), false);
            return true;
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            return false;
        }
    }

    // at::globalContext() and the Context members, by their Itanium C++ names; a member takes `this` first.
    [LibraryImport("torch_cpu", EntryPoint = "_ZN2at13globalContextEv")]
    private static partial IntPtr GlobalContext();

    [LibraryImport("torch_cpu", EntryPoint = "_ZN2at7Context20setUserEnabledNNPACKEb")]
    private static partial void SetUserEnabledNNPACK(IntPtr context, [MarshalAs(UnmanagedType.U1)] bool enabled);

    [LibraryImport("torch_cpu", EntryPoint = "_ZNK2at7Context17userEnabledNNPACKEv")]
    [return: MarshalAs(UnmanagedType.U1)]
    private static partial bool UserEnabledNNPACK(IntPtr context);
}

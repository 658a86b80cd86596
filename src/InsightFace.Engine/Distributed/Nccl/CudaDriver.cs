using System.Runtime.InteropServices;
using InsightFace.Engine.Runtime;

namespace InsightFace.Engine.Distributed.Nccl;

/// <summary>
/// Chooses the calling thread's current CUDA device through the driver API (libcuda.so.1, which every NVIDIA driver
/// installs). TorchSharp has no torch.cuda.set_device, and the runtime library libtorch uses has a hashed name; making
/// a device's primary context current is what cudaSetDevice does, and the runtime (hence NCCL) takes it as the
/// current device. Signatures from cuda.h: CUresult is an int, CUdevice an int, CUcontext a pointer.
/// </summary>
internal static partial class CudaDriver
{
    private const string Library = "libcuda.so.1";

    /// <summary>Makes cuda:<paramref name="ordinal"/> current on this thread; throws DeviceUnavailable when it cannot.</summary>
    public static void MakeCurrent(int ordinal)
    {
        var device = $"cuda:{ordinal}";
        try
        {
            Check(cuInit(0), device, "cuInit");
            Check(cuDeviceGet(out var handle, ordinal), device, "cuDeviceGet");
            Check(cuDevicePrimaryCtxRetain(out var context, handle), device, "cuDevicePrimaryCtxRetain");
            Check(cuCtxSetCurrent(context), device, "cuCtxSetCurrent");
        }
        catch (DllNotFoundException e)
        {
            throw new DeviceUnavailableException(device, $"{Library} (the NVIDIA driver) could not be loaded: {e.Message}", e);
        }
    }

    private static void Check(int result, string device, string call)
    {
        if (result == 0) return;
        var text = cuGetErrorString(result, out var message) == 0 ? Marshal.PtrToStringUTF8(message) : null;
        throw new DeviceUnavailableException(device, $"{call} failed for {device}: {text ?? $"CUresult {result}"}.");
    }

    [LibraryImport(Library)]
    private static partial int cuInit(uint flags);

    [LibraryImport(Library)]
    private static partial int cuDeviceGet(out int device, int ordinal);

    [LibraryImport(Library)]
    private static partial int cuDevicePrimaryCtxRetain(out IntPtr context, int device);

    [LibraryImport(Library)]
    private static partial int cuCtxSetCurrent(IntPtr context);

    [LibraryImport(Library)]
    private static partial int cuGetErrorString(int error, out IntPtr message);
}

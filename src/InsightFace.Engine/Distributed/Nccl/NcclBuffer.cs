using System.Runtime.InteropServices;
using TorchSharp;
using static TorchSharp.torch;

namespace InsightFace.Engine.Distributed.Nccl;

/// <summary>What NCCL needs to know of a tensor: the address of its first element, its element count and type.</summary>
internal readonly partial record struct NcclBuffer(IntPtr Pointer, nuint Count, NcclDataType Type)
{
    /// <summary>
    /// The buffer of <paramref name="tensor"/>, which must be contiguous and of a type NCCL reduces; throws
    /// ArgumentException otherwise. The address stays valid only while the tensor lives.
    /// </summary>
    /// <remarks>
    /// The address is the storage's base plus storage_offset() elements, as in TorchSharp's public
    /// <c>storage&lt;T&gt;().data_ptr()</c>. That method converts the tensor into a temporary first when T differs from
    /// its dtype, and it has no T for float16 or bfloat16, so this asks LibTorchSharp's THSStorage_data_ptr (the
    /// function data_ptr() calls) directly: it reads the storage of the tensor itself, whatever its dtype or device.
    /// </remarks>
    public static NcclBuffer Of(Tensor tensor, string parameter)
    {
        var type = TypeOf(tensor.dtype) ?? throw new ArgumentException(
            $"NCCL cannot reduce {tensor.dtype} tensors; use float32, float64, float16, bfloat16, int32, int64 or uint8.", parameter);
        if (!tensor.is_contiguous())
            throw new ArgumentException("The collectives need a contiguous tensor; call contiguous() first.", parameter);
        var storage = THSStorage_data_ptr(tensor.Handle);
        var pointer = storage + checked((nint)(tensor.storage_offset() * tensor.element_size()));
        return new NcclBuffer(pointer, checked((nuint)tensor.numel()), type);
    }

    private static NcclDataType? TypeOf(ScalarType dtype) => dtype switch
    {
        ScalarType.Float32 => NcclDataType.Float32,
        ScalarType.Float64 => NcclDataType.Float64,
        ScalarType.Float16 => NcclDataType.Float16,
        ScalarType.BFloat16 => NcclDataType.Bfloat16,
        ScalarType.Int32 => NcclDataType.Int32,
        ScalarType.Int64 => NcclDataType.Int64,
        ScalarType.Byte => NcclDataType.Uint8,
        _ => null,
    };

    // LibTorchSharp's export behind Storage.data_ptr(): tensor->storage().data_ptr().get(), with no device check.
    [LibraryImport("LibTorchSharp")]
    private static partial IntPtr THSStorage_data_ptr(IntPtr tensor);
}

using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using TorchSharp;
using static TorchSharp.torch;

namespace InsightFace.Engine.Distributed;

/// <summary>
/// A CPU tensor's elements as an MPI buffer: their address, count and MPI datatype. The caller keeps the tensor
/// alive (<see cref="GC.KeepAlive"/>) until the MPI call that reads or writes the address has returned.
/// </summary>
/// <remarks>
/// The address comes from <c>Tensor.bytes</c>, a span over the tensor's own memory from its first element
/// (storage offset included) whatever its element type. <c>storage&lt;T&gt;()</c> would convert the tensor to
/// <c>T</c> first when the types differ, and hand out the address of a temporary copy.
/// </remarks>
internal readonly record struct MpiBuffer(nint Address, int Count, nint Datatype)
{
    /// <summary>
    /// Describes <paramref name="tensor"/>. float16 travels as 16-bit words: MPI has no half type, so it can move
    /// float16 elements but not add them (reductions widen them to float32 first).
    /// </summary>
    /// <exception cref="ArgumentException">Not a CPU tensor, not contiguous, of another element type, or over 2 GiB.</exception>
    public static MpiBuffer Of(Tensor tensor, MpiHandles handles, [CallerArgumentExpression(nameof(tensor))] string name = "")
    {
        Require(tensor, name);
        var datatype = tensor.dtype switch
        {
            ScalarType.Float32 => handles.Float,
            ScalarType.Float64 => handles.Double,
            ScalarType.Float16 => handles.UInt16,
            ScalarType.Int32 => handles.Int32,
            ScalarType.Int64 => handles.Int64,
            ScalarType.Byte => handles.UInt8,
            _ => throw new UnreachableException(),
        };
        return new MpiBuffer(AddressOf(tensor), (int)tensor.numel(), datatype);
    }

    /// <summary>Throws unless MPI can read and write <paramref name="tensor"/>'s memory in place.</summary>
    /// <exception cref="ArgumentException">Not a CPU tensor, not contiguous, of another element type, or over 2 GiB.</exception>
    public static void Require(Tensor tensor, string name)
    {
        if (tensor.device_type != DeviceType.CPU)
            throw new ArgumentException($"MPI collectives work on CPU tensors; this one is on {tensor.device}.", name);
        if (tensor.dtype is not (ScalarType.Float32 or ScalarType.Float64 or ScalarType.Float16 or ScalarType.Int32 or ScalarType.Int64 or ScalarType.Byte))
            throw new ArgumentException($"MPI collectives take float32, float64, float16, int32, int64 or uint8 tensors, not {tensor.dtype}.", name);
        if (!tensor.is_contiguous())
            throw new ArgumentException("MPI collectives need a contiguous tensor (call .contiguous() first).", name);
        if (tensor.numel() * tensor.element_size() > int.MaxValue)
            throw new ArgumentException($"MPI collectives take tensors of at most {int.MaxValue} bytes; this one has {tensor.numel() * tensor.element_size()}: split it.", name);
    }

    private static unsafe nint AddressOf(Tensor tensor) =>
        (nint)Unsafe.AsPointer(ref MemoryMarshal.GetReference(tensor.bytes));
}

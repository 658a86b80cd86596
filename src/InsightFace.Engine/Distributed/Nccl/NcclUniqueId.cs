using System.Runtime.InteropServices;

namespace InsightFace.Engine.Distributed.Nccl;

/// <summary>
/// ncclUniqueId: the 128 opaque bytes rank 0 makes with ncclGetUniqueId and every rank passes, by value, to
/// ncclCommInitRank (nccl.h: <c>typedef struct { char internal[NCCL_UNIQUE_ID_BYTES]; } ncclUniqueId;</c> with
/// NCCL_UNIQUE_ID_BYTES 128). Blittable, so a function pointer passes it by value exactly as C does.
/// </summary>
[StructLayout(LayoutKind.Sequential, Size = Size)]
internal unsafe struct NcclUniqueId
{
    /// <summary>NCCL_UNIQUE_ID_BYTES.</summary>
    public const int Size = 128;

    private fixed byte bytes[Size];

    /// <summary>The id from the bytes another rank sent; there must be exactly <see cref="Size"/> of them.</summary>
    public static NcclUniqueId From(ReadOnlySpan<byte> source)
    {
        if (source.Length != Size)
            throw new ArgumentException($"An NCCL unique id is {Size} bytes, not {source.Length}.", nameof(source));
        var id = new NcclUniqueId();
        source.CopyTo(new Span<byte>(id.bytes, Size));
        return id;
    }

    /// <summary>A copy of the id's bytes, to send to the other ranks.</summary>
    public byte[] ToArray()
    {
        fixed (byte* p = bytes) return new ReadOnlySpan<byte>(p, Size).ToArray();
    }
}

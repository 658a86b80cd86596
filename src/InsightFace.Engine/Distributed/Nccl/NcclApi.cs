using System.Runtime.InteropServices;

namespace InsightFace.Engine.Distributed.Nccl;

/// <summary>
/// The real NCCL: function pointers into libnccl.so.2, bound once with <see cref="NativeLibrary"/>. The signatures are
/// nccl.h's (NVIDIA/nccl src/nccl.h.in); <c>delegate* unmanaged</c> uses the platform's C calling convention, so the
/// 128-byte <see cref="NcclUniqueId"/> goes by value exactly as a C caller passes it.
/// </summary>
internal sealed unsafe class NcclApi : INcclApi
{
    /// <summary>
    /// Where NCCL is looked for, in order. TorchSharp's CUDA build ships no libnccl.so, but libtorch links NCCL
    /// statically into libtorch_cuda.so, and in 2020 that library exported the nccl* symbols (pytorch issue #42517).
    /// Whether libtorch 2.10's still does is unverified; a library without ncclGetUniqueId is skipped.
    /// </summary>
    public static IReadOnlyList<string> Candidates { get; } = ["libnccl.so.2", "libtorch_cuda.so"];

    private readonly delegate* unmanaged<NcclUniqueId*, NcclResult> getUniqueId;
    private readonly delegate* unmanaged<IntPtr*, int, NcclUniqueId, int, NcclResult> commInitRank;
    private readonly delegate* unmanaged<IntPtr, IntPtr, nuint, NcclDataType, NcclRedOp, IntPtr, IntPtr, NcclResult> allReduce;
    private readonly delegate* unmanaged<IntPtr, IntPtr, nuint, NcclDataType, IntPtr, IntPtr, NcclResult> allGather;
    private readonly delegate* unmanaged<IntPtr, IntPtr, nuint, NcclDataType, NcclRedOp, IntPtr, IntPtr, NcclResult> reduceScatter;
    private readonly delegate* unmanaged<IntPtr, IntPtr, nuint, NcclDataType, int, IntPtr, IntPtr, NcclResult> broadcast;
    private readonly delegate* unmanaged<IntPtr, NcclResult*, NcclResult> commGetAsyncError;
    private readonly delegate* unmanaged<IntPtr, NcclResult> commDestroy;
    private readonly delegate* unmanaged<IntPtr, NcclResult> commAbort;
    private readonly delegate* unmanaged<NcclResult, byte*> getErrorString;

    private NcclApi(IntPtr library, string name)
    {
        Library = name;
        getUniqueId = (delegate* unmanaged<NcclUniqueId*, NcclResult>)Export(library, name, "ncclGetUniqueId");
        commInitRank = (delegate* unmanaged<IntPtr*, int, NcclUniqueId, int, NcclResult>)Export(library, name, "ncclCommInitRank");
        allReduce = (delegate* unmanaged<IntPtr, IntPtr, nuint, NcclDataType, NcclRedOp, IntPtr, IntPtr, NcclResult>)Export(library, name, "ncclAllReduce");
        allGather = (delegate* unmanaged<IntPtr, IntPtr, nuint, NcclDataType, IntPtr, IntPtr, NcclResult>)Export(library, name, "ncclAllGather");
        reduceScatter = (delegate* unmanaged<IntPtr, IntPtr, nuint, NcclDataType, NcclRedOp, IntPtr, IntPtr, NcclResult>)Export(library, name, "ncclReduceScatter");
        broadcast = (delegate* unmanaged<IntPtr, IntPtr, nuint, NcclDataType, int, IntPtr, IntPtr, NcclResult>)Export(library, name, "ncclBroadcast");
        commGetAsyncError = (delegate* unmanaged<IntPtr, NcclResult*, NcclResult>)Export(library, name, "ncclCommGetAsyncError");
        commDestroy = (delegate* unmanaged<IntPtr, NcclResult>)Export(library, name, "ncclCommDestroy");
        commAbort = (delegate* unmanaged<IntPtr, NcclResult>)Export(library, name, "ncclCommAbort");
        getErrorString = (delegate* unmanaged<NcclResult, byte*>)Export(library, name, "ncclGetErrorString");
    }

    /// <summary>The library the functions come from (one of <see cref="Candidates"/>, or a path).</summary>
    public string Library { get; }

    /// <summary>Binds the first of <see cref="Candidates"/> that loads and exports NCCL; throws NcclNotFound otherwise.</summary>
    public static NcclApi Load() => Load(Candidates);

    /// <summary>Binds the first of <paramref name="libraries"/> (names or paths) that loads and exports NCCL.</summary>
    internal static NcclApi Load(IEnumerable<string> libraries)
    {
        var tried = new List<string>();
        foreach (var name in libraries)
        {
            if (!NativeLibrary.TryLoad(name, typeof(NcclApi).Assembly, null, out var handle))
            {
                tried.Add($"{name} (not found)");
                continue;
            }
            if (!NativeLibrary.TryGetExport(handle, "ncclGetUniqueId", out _))
            {
                NativeLibrary.Free(handle);
                tried.Add($"{name} (exports no NCCL)");
                continue;
            }
            return new NcclApi(handle, name);
        }
        throw new NcclException(ErrorIds.NcclNotFound,
            $"NCCL could not be loaded: tried {string.Join(", ", tried)}. Install NCCL 2 (libnccl2 from NVIDIA's CUDA " +
            "repository, or pip's nvidia-nccl-cu12 wheel) and put the folder of libnccl.so.2 on LD_LIBRARY_PATH.");
    }

    public void SetCudaDevice(int ordinal) => CudaDriver.MakeCurrent(ordinal);

    public NcclResult GetUniqueId(out NcclUniqueId id)
    {
        fixed (NcclUniqueId* p = &id) return getUniqueId(p);
    }

    public NcclResult CommInitRank(out IntPtr comm, int nranks, NcclUniqueId id, int rank)
    {
        fixed (IntPtr* p = &comm) return commInitRank(p, nranks, id, rank);
    }

    public NcclResult AllReduce(IntPtr send, IntPtr recv, nuint count, NcclDataType type, NcclRedOp op, IntPtr comm, IntPtr stream) =>
        allReduce(send, recv, count, type, op, comm, stream);

    public NcclResult AllGather(IntPtr send, IntPtr recv, nuint sendCount, NcclDataType type, IntPtr comm, IntPtr stream) =>
        allGather(send, recv, sendCount, type, comm, stream);

    public NcclResult ReduceScatter(IntPtr send, IntPtr recv, nuint recvCount, NcclDataType type, NcclRedOp op, IntPtr comm, IntPtr stream) =>
        reduceScatter(send, recv, recvCount, type, op, comm, stream);

    public NcclResult Broadcast(IntPtr send, IntPtr recv, nuint count, NcclDataType type, int root, IntPtr comm, IntPtr stream) =>
        broadcast(send, recv, count, type, root, comm, stream);

    public NcclResult CommGetAsyncError(IntPtr comm, out NcclResult asyncError)
    {
        fixed (NcclResult* p = &asyncError) return commGetAsyncError(comm, p);
    }

    public NcclResult CommDestroy(IntPtr comm) => commDestroy(comm);

    public NcclResult CommAbort(IntPtr comm) => commAbort(comm);

    public string GetErrorString(NcclResult result) =>
        Marshal.PtrToStringUTF8((IntPtr)getErrorString(result)) ?? $"ncclResult_t {(int)result}";

    private static IntPtr Export(IntPtr library, string name, string function) =>
        NativeLibrary.TryGetExport(library, function, out var address)
            ? address
            : throw new NcclException(ErrorIds.NcclNotFound, $"{name} has no {function}: it is not NCCL 2.");
}

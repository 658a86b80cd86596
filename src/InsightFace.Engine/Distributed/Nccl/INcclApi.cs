namespace InsightFace.Engine.Distributed.Nccl;

/// <summary>
/// The native calls <see cref="NcclCollectives"/> makes: NCCL's C functions one to one (same arguments, same
/// ncclResult_t), so that tests can stand in for the library. Signatures from nccl.h (NVIDIA/nccl src/nccl.h.in);
/// <c>comm</c> is an ncclComm_t, <c>stream</c> a cudaStream_t, counts are size_t element counts.
/// </summary>
/// <remarks>
/// ncclGroupStart/ncclGroupEnd are not here: a process drives one communicator on one GPU and calls each collective
/// on its own, which needs no group.
/// </remarks>
internal interface INcclApi
{
    /// <summary>
    /// Makes cuda:<paramref name="ordinal"/> the calling thread's current device. Not an NCCL function, but NCCL binds
    /// a communicator to the current device when ncclCommInitRank runs, and TorchSharp cannot set it.
    /// </summary>
    void SetCudaDevice(int ordinal);

    /// <summary>ncclGetUniqueId(ncclUniqueId* uniqueId).</summary>
    NcclResult GetUniqueId(out NcclUniqueId id);

    /// <summary>ncclCommInitRank(ncclComm_t* comm, int nranks, ncclUniqueId commId, int rank): the id by value.</summary>
    NcclResult CommInitRank(out IntPtr comm, int nranks, NcclUniqueId id, int rank);

    /// <summary>ncclAllReduce(sendbuff, recvbuff, count, datatype, op, comm, stream); in place when the buffers are equal.</summary>
    NcclResult AllReduce(IntPtr send, IntPtr recv, nuint count, NcclDataType type, NcclRedOp op, IntPtr comm, IntPtr stream);

    /// <summary>ncclAllGather(sendbuff, recvbuff, sendcount, datatype, comm, stream): rank i's data lands at recvbuff + i·sendcount.</summary>
    NcclResult AllGather(IntPtr send, IntPtr recv, nuint sendCount, NcclDataType type, IntPtr comm, IntPtr stream);

    /// <summary>ncclReduceScatter(sendbuff, recvbuff, recvcount, datatype, op, comm, stream): rank i gets block i of the reduction.</summary>
    NcclResult ReduceScatter(IntPtr send, IntPtr recv, nuint recvCount, NcclDataType type, NcclRedOp op, IntPtr comm, IntPtr stream);

    /// <summary>ncclBroadcast(sendbuff, recvbuff, count, datatype, root, comm, stream); in place when the buffers are equal.</summary>
    NcclResult Broadcast(IntPtr send, IntPtr recv, nuint count, NcclDataType type, int root, IntPtr comm, IntPtr stream);

    /// <summary>ncclCommGetAsyncError(comm, ncclResult_t* asyncError): an error found after a call returned (a peer gone).</summary>
    NcclResult CommGetAsyncError(IntPtr comm, out NcclResult asyncError);

    /// <summary>ncclCommDestroy(comm): frees the communicator once its work is done.</summary>
    NcclResult CommDestroy(IntPtr comm);

    /// <summary>ncclCommAbort(comm): frees the communicator and stops its work still running on the GPU.</summary>
    NcclResult CommAbort(IntPtr comm);

    /// <summary>ncclGetErrorString(result): NCCL's text for a result.</summary>
    string GetErrorString(NcclResult result);
}

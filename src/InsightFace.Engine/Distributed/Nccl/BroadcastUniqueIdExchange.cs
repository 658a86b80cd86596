using TorchSharp;
using static TorchSharp.torch;

namespace InsightFace.Engine.Distributed.Nccl;

/// <summary>
/// Shares the NCCL id through collectives the job already has (MPI's, when mpiexec launched it): a broadcast from
/// rank 0 of the id's bytes in a CPU uint8 tensor.
/// </summary>
public sealed class BroadcastUniqueIdExchange(ICollectives bootstrap) : IUniqueIdExchange
{
    /// <inheritdoc/>
    public byte[] Share(int rank, int worldSize, Func<byte[]> create)
    {
        if (rank != bootstrap.Rank || worldSize != bootstrap.WorldSize)
            throw new ArgumentException(
                $"Rank {rank} of {worldSize} cannot share an id through collectives of rank {bootstrap.Rank} of {bootstrap.WorldSize}.");
        using var scope = NewDisposeScope();
        var bytes = rank == 0 ? tensor(create(), ScalarType.Byte) : zeros(NcclUniqueId.Size, ScalarType.Byte);
        bootstrap.Broadcast(bytes, root: 0);
        return bytes.data<byte>().ToArray();
    }
}

using InsightFace.Engine.Distributed;
using InsightFace.Engine.Distributed.Nccl;
using InsightFace.Engine.Tests.Support;

namespace InsightFace.Engine.Tests.Distributed.Nccl;

/// <summary>
/// Runs a W-rank job of <see cref="NcclCollectives"/> over one <see cref="FakeNccl"/>: a thread per rank, the NCCL id
/// shared through <see cref="BroadcastUniqueIdExchange"/> over the threaded collectives double (the MPI path), CPU
/// tensors through the hostMemory seam, and each rank's communicator disposed when its body returns.
/// </summary>
internal static class FakeNcclJob
{
    public static T[] Run<T>(FakeNccl fake, int worldSize, Func<NcclCollectives, T> body) =>
        ThreadedCollectives.Run(worldSize, bootstrap =>
        {
            using var nccl = Join(fake, bootstrap, exit: _ => { });
            return body(nccl);
        });

    /// <summary>One rank's communicator: cuda:rank as its device, <paramref name="exit"/> instead of ending the process.</summary>
    public static NcclCollectives Join(FakeNccl fake, ICollectives bootstrap, Action<int> exit, bool hostMemory = true) =>
        new(fake, bootstrap.Rank, bootstrap.WorldSize, bootstrap.LocalRank, cudaDevice: bootstrap.Rank,
            new BroadcastUniqueIdExchange(bootstrap), exit, hostMemory);
}

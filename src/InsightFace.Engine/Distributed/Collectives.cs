namespace InsightFace.Engine.Distributed;

/// <summary>Chooses the collectives of this process's job.</summary>
public static class Collectives
{
    /// <summary>
    /// <see cref="SingleProcessCollectives.Instance"/> when no launcher started this process as one of several
    /// (<see cref="JobEnvironment"/>), else <see cref="MpiCollectives.World"/>, which the caller disposes at the end.
    /// </summary>
    /// <exception cref="DistributedException">Bad launcher variables (LaunchVariableInvalid), no MPI library
    /// (MpiNotInstalled), or an MPI world that is not the launcher's (MpiWorldMismatch).</exception>
    public static ICollectives ForThisProcess() =>
        JobEnvironment.FromProcess().WorldSize == 1 ? SingleProcessCollectives.Instance : MpiCollectives.World;

    /// <summary>
    /// The collectives training on <paramref name="device"/> uses: <paramref name="job"/> itself on the CPU or for a
    /// job of one; on CUDA, NCCL on this rank's GPU, its id shared through <paramref name="job"/>'s broadcast, taking
    /// CPU tensors through the GPU (<see cref="HostStagingCollectives"/>). The caller disposes what it gets when it
    /// is not <paramref name="job"/>.
    /// </summary>
    /// <exception cref="Nccl.NcclException">NCCL cannot be loaded or set up (NcclNotFound, NcclCallFailed).</exception>
    public static ICollectives ForDevice(ICollectives job, TorchSharp.torch.Device device)
    {
        if (job.WorldSize == 1 || device.type != TorchSharp.DeviceType.CUDA) return job;
        var nccl = Nccl.NcclCollectives.Create(job.Rank, job.WorldSize, job.LocalRank, new Nccl.BroadcastUniqueIdExchange(job), device.index);
        return new HostStagingCollectives(nccl, device);
    }
}

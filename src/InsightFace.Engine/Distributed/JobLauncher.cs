namespace InsightFace.Engine.Distributed;

/// <summary>The program that started this process as one rank of a job, told apart by the variables it sets.</summary>
public enum JobLauncher
{
    /// <summary>None: the process is a job of one.</summary>
    None,

    /// <summary>Open MPI's <c>mpiexec</c> (OMPI_COMM_WORLD_*).</summary>
    OpenMpi,

    /// <summary>MPICH's hydra <c>mpiexec</c> (PMI_RANK, PMI_SIZE).</summary>
    Mpich,

    /// <summary>SLURM's <c>srun</c> (SLURM_PROCID, SLURM_NTASKS).</summary>
    Slurm,

    /// <summary>torchrun or a launcher that imitates it (RANK, WORLD_SIZE).</summary>
    Torchrun,
}

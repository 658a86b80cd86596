using InsightFace.Engine.Distributed;

namespace InsightFace.Engine.Tests.Distributed;

public class JobEnvironmentTests
{
    private static JobEnvironment From(params (string Name, string Value)[] variables) =>
        JobEnvironment.From(variables.ToDictionary(v => v.Name, v => v.Value));

    [Fact]
    public void No_launcher_variables_make_a_job_of_one()
    {
        Assert.Equal(new JobEnvironment(0, 1, 0, JobLauncher.None), From());
        Assert.Same(JobEnvironment.SingleProcess, From(("PATH", "/usr/bin")));
    }

    [Theory]
    [InlineData("OMPI_COMM_WORLD_RANK", "OMPI_COMM_WORLD_SIZE", "OMPI_COMM_WORLD_LOCAL_RANK", JobLauncher.OpenMpi)]
    [InlineData("PMI_RANK", "PMI_SIZE", "MPI_LOCALRANKID", JobLauncher.Mpich)]
    [InlineData("SLURM_PROCID", "SLURM_NTASKS", "SLURM_LOCALID", JobLauncher.Slurm)]
    [InlineData("RANK", "WORLD_SIZE", "LOCAL_RANK", JobLauncher.Torchrun)]
    public void Each_launcher_gives_rank_size_and_local_rank(string rank, string size, string local, JobLauncher launcher)
    {
        Assert.Equal(new JobEnvironment(5, 8, 1, launcher), From((rank, "5"), (size, "8"), (local, "1")));
        Assert.Equal(new JobEnvironment(5, 8, null, launcher), From((rank, "5"), (size, "8")));
    }

    [Fact]
    public void The_first_launcher_in_order_wins()
    {
        // srun starting Open MPI's ranks sets both families; mpiexec's own are the ones MPI will agree with.
        var all = new[]
        {
            ("RANK", "3"), ("WORLD_SIZE", "4"),
            ("SLURM_PROCID", "2"), ("SLURM_NTASKS", "4"),
            ("PMI_RANK", "1"), ("PMI_SIZE", "4"),
            ("OMPI_COMM_WORLD_RANK", "0"), ("OMPI_COMM_WORLD_SIZE", "4"),
        };
        Assert.Equal(new JobEnvironment(0, 4, null, JobLauncher.OpenMpi), From(all));
        Assert.Equal(new JobEnvironment(1, 4, null, JobLauncher.Mpich), From(all[..6]));
        Assert.Equal(new JobEnvironment(2, 4, null, JobLauncher.Slurm), From(all[..4]));
        Assert.Equal(new JobEnvironment(3, 4, null, JobLauncher.Torchrun), From(all[..2]));
    }

    [Fact]
    public void A_launcher_with_only_rank_or_only_size_is_passed_over()
    {
        Assert.Equal(new JobEnvironment(1, 2, 1, JobLauncher.Slurm),
            From(("OMPI_COMM_WORLD_RANK", "3"), ("PMI_SIZE", "4"), ("SLURM_PROCID", "1"), ("SLURM_NTASKS", "2"), ("SLURM_LOCALID", "1")));
        Assert.Same(JobEnvironment.SingleProcess, From(("RANK", "0"), ("WORLD_SIZE", "")));
    }

    [Theory]
    [InlineData("RANK", "x", "WORLD_SIZE", "2", "RANK='x'")]
    [InlineData("RANK", "-1", "WORLD_SIZE", "2", "RANK='-1'")]
    [InlineData("RANK", "2", "WORLD_SIZE", "2", "RANK='2'")]
    [InlineData("RANK", "0", "WORLD_SIZE", "0", "WORLD_SIZE='0'")]
    [InlineData("PMI_RANK", "0", "PMI_SIZE", "1.5", "PMI_SIZE='1.5'")]
    [InlineData("SLURM_PROCID", "0", "SLURM_NTASKS", "99999999999", "SLURM_NTASKS='99999999999'")]
    public void A_variable_that_is_not_a_whole_number_in_range_is_refused(string rank, string rankValue, string size, string sizeValue, string culprit)
    {
        var e = Assert.Throws<DistributedException>(() => From((rank, rankValue), (size, sizeValue)));

        Assert.Equal(ErrorIds.LaunchVariableInvalid, e.ErrorId);
        Assert.Equal(ErrorKind.InvalidArgument, e.Kind);
        Assert.Contains(culprit, e.Message);
    }

    [Fact]
    public void A_local_rank_outside_the_world_is_refused()
    {
        var e = Assert.Throws<DistributedException>(() => From(("RANK", "0"), ("WORLD_SIZE", "2"), ("LOCAL_RANK", "2")));

        Assert.Equal(ErrorIds.LaunchVariableInvalid, e.ErrorId);
        Assert.Contains("LOCAL_RANK='2'", e.Message);
    }
}

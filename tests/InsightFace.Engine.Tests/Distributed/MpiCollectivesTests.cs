using InsightFace.Engine.Tests.Support;

namespace InsightFace.Engine.Tests.Distributed;

/// <summary>
/// MpiCollectives in real jobs of 1-4 processes under each MPI. One launch per (MPI, size) runs every check of the
/// worker's "collectives" case (Distributed.Worker/CollectiveChecks.cs): each collective against a hand computation
/// of rank-dependent data, in every element type, and the refusals of bad input.
/// </summary>
public class MpiCollectivesTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromMinutes(2);

    [MpiTheory(Mpi.Mpich)]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    public void Every_collective_matches_the_hand_computation_under_MPICH(int processes) => CollectivesHold(Mpi.Mpich, processes);

    [MpiTheory(Mpi.OpenMpi)]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    public void Every_collective_matches_the_hand_computation_under_Open_MPI(int processes) => CollectivesHold(Mpi.OpenMpi, processes);

    [MpiFact(Mpi.Mpich)]
    public void A_rank_that_throws_ends_the_whole_job_under_MPICH() => RankFailureAbortsJob(Mpi.Mpich);

    [MpiFact(Mpi.OpenMpi)]
    public void A_rank_that_throws_ends_the_whole_job_under_Open_MPI() => RankFailureAbortsJob(Mpi.OpenMpi);

    [MpiFact(Mpi.Mpich)]
    public void A_job_of_one_gets_the_single_process_collectives()
    {
        var result = MpiRun.Workers(Mpi.Mpich, 1, Patience, "collectives");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("rank 0: collectives ok (SingleProcessCollectives, world 1, local rank 0)", result.Output);
    }

    [MpiFact(Mpi.Mpich)]
    public void Launcher_variables_without_the_launcher_fail_with_MpiWorldMismatch()
    {
        // hydra's variables for 2 ranks, but no hydra: MPICH starts a world of one, which must not pass for rank 0 of 2.
        var result = MpiRun.WorkerAlone(new Dictionary<string, string> { ["PMI_RANK"] = "0", ["PMI_SIZE"] = "2" }, Patience, "collectives");

        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains("rank 0: The launcher (Mpich) started 2 processes, but libmpich.so.12's world has 1", result.Output);
        Assert.Contains($"[{ErrorIds.MpiWorldMismatch}]", result.Output);
    }

    private static void CollectivesHold(Mpi mpi, int processes)
    {
        // A job of one gets the single-process collectives from the factory; --mpi puts MPI's world of one under test.
        var result = processes == 1
            ? MpiRun.Workers(mpi, processes, Patience, "collectives", "--mpi")
            : MpiRun.Workers(mpi, processes, Patience, "collectives");

        Assert.True(result.ExitCode == 0 && !result.TimedOut, result.ToString());
        for (var rank = 0; rank < processes; rank++)
            Assert.Contains($"rank {rank}: collectives ok (MpiCollectives, world {processes}, local rank {rank})", result.Output);
    }

    private static void RankFailureAbortsJob(Mpi mpi)
    {
        // Ranks 0 and 2 wait in a barrier for rank 1, which throws instead; only MPI_Abort can end them.
        var result = MpiRun.Workers(mpi, 3, TimeSpan.FromSeconds(90), "abort");

        Assert.False(result.TimedOut, result.ToString());
        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains("rank 1: InvalidOperationException: rank 1 fails on purpose to test the abort", result.Output);
        Assert.True(result.Elapsed < TimeSpan.FromSeconds(60), result.ToString());
    }
}

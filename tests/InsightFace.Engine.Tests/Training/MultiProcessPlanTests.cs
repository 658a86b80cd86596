using System.Collections;
using InsightFace.Engine.Configuration;
using InsightFace.Engine.Distributed;
using InsightFace.Engine.Tests.Data;
using InsightFace.Engine.Tests.Support;
using InsightFace.Engine.Training;
using TorchSharp;

namespace InsightFace.Engine.Tests.Training;

/// <summary>Planning a job of several processes: the ranks are checked against each other before anything is written.</summary>
public class MultiProcessPlanTests
{
    private static ResolvedConfig TwoProcessConfig(Hashtable? set = null)
    {
        var values = new Hashtable { ["network"] = "mbf", ["embedding_size"] = 32, ["batch_size"] = 2, ["num_epoch"] = 1, ["seed"] = 11 };
        foreach (DictionaryEntry entry in set ?? new Hashtable()) values[entry.Key] = entry.Value;
        return ConfigResolver.Resolve(null,
            dataset: new Dictionary<string, object?> { ["rec"] = "synthetic", ["num_classes"] = 6L, ["num_image"] = 24L },
            set: values, worldSize: 2);
    }

    [Fact]
    public void Ranks_started_with_different_configs_all_fail_with_RanksDisagree_and_nothing_is_written()
    {
        using var folder = new TempFolder();
        using var data = TinyRun.Data();
        var errors = ThreadedCollectives.Run(2, collectives =>
        {
            var config = TwoProcessConfig(collectives.Rank == 1 ? new Hashtable { ["lr"] = 0.2 } : null);
            return Record.Exception(() => TrainingPlan.Create(new TrainingRequest(config, data, folder["run"]) { Collectives = collectives }));
        });

        Assert.All(errors, e => Assert.Equal(ErrorIds.RanksDisagree, Assert.IsType<TrainingException>(e).ErrorId));
        Assert.Contains("rank 1 differs from rank 0 in the config", errors[0]!.Message);
        Assert.False(Directory.Exists(folder["run"]));
    }

    // device: cuda means each process's own GPU, as arcface_torch's set_device(local_rank); this machine has none,
    // so each rank's refusal names the device it would have used.
    [Fact]
    public void In_a_job_of_several_processes_cuda_means_the_ranks_own_gpu()
    {
        using var folder = new TempFolder();
        using var data = TinyRun.Data();
        var errors = ThreadedCollectives.Run(2, collectives => Record.Exception(() =>
            TrainingPlan.Create(new TrainingRequest(TwoProcessConfig(new Hashtable { ["device"] = "cuda" }), data, folder["run"]) { Collectives = collectives })));

        Assert.Contains("'cuda:0'", errors[0]!.Message);
        Assert.Contains("'cuda:1'", errors[1]!.Message);
    }

    [Fact]
    public void Ranks_started_alike_plan_the_same_run()
    {
        using var folder = new TempFolder();
        using var data = TinyRun.Data();
        var plans = ThreadedCollectives.Run(2, collectives =>
            TrainingPlan.Create(new TrainingRequest(TwoProcessConfig(), data, folder["run"]) { Collectives = collectives }));

        Assert.All(plans, p => Assert.Equal(2, p.Config.WorldSize));
        Assert.Equal(plans[0].Request.Config.Hash, plans[1].Request.Config.Hash);
        Assert.False(Directory.Exists(folder["run"]));
    }

    // Only rank 0 takes the run folder's lock, so only rank 0 probes it. A probe holds the lock for a moment: when every
    // rank probed, two ranks probing at once could each fail with RunFolderLocked (seen in CI on resumes).
    [Fact]
    public void Only_rank_0_checks_the_run_folders_lock()
    {
        using var folder = new TempFolder();
        using var data = TinyRun.Data();
        Directory.CreateDirectory(folder["run"]);
        using var held = new FileStream(Path.Combine(folder["run"], ".training.lock"), FileMode.Create, FileAccess.ReadWrite, FileShare.None);
        TrainingPlan Plan(int rank) => TrainingPlan.Create(
            new TrainingRequest(TwoProcessConfig(), data, folder["run"]) { Collectives = new AsRank(new UnstartedJob(2), rank) });

        Assert.Equal(2, Plan(rank: 1).Config.WorldSize);
        Assert.Equal(ErrorIds.RunFolderLocked, Assert.Throws<TrainingException>(() => Plan(rank: 0)).ErrorId);
    }

    // A job of identical ranks seen from one of them.
    private sealed class AsRank(ICollectives job, int rank) : ICollectives
    {
        public int Rank => rank;
        public int WorldSize => job.WorldSize;
        public int LocalRank => rank;
        public torch.Tensor AllGather(torch.Tensor local) => job.AllGather(local);
        public void AllReduce(torch.Tensor tensor, ReduceOp op) => job.AllReduce(tensor, op);
        public torch.Tensor ReduceScatter(torch.Tensor input) => job.ReduceScatter(input);
        public void Broadcast(torch.Tensor tensor, int root) => job.Broadcast(tensor, root);
        public void Barrier() => job.Barrier();
        public void Abort(int exitCode) => job.Abort(exitCode);
    }
}

using InsightFace.Engine.Distributed;
using System.Collections;
using InsightFace.Engine.Backbones;
using InsightFace.Engine.Configuration;
using InsightFace.Engine.Data.Synthetic;
using InsightFace.Engine.Data.Verification;
using InsightFace.Engine.Heads;
using InsightFace.Engine.Runtime;
using InsightFace.Engine.Tests.Data;
using InsightFace.Engine.Training;

namespace InsightFace.Engine.Tests.Training;

/// <summary>A plan checks everything a run would, and never writes, creates or deletes a file.</summary>
[Collection("Training")]
public class TrainingPlanTests
{
    [Fact]
    public void Failing_checks_and_a_forced_replace_leave_an_existing_run_byte_identical()
    {
        using var folder = new TempFolder();
        using var data = TinyRun.Data();
        var run = folder["run"];
        TinyRun.Train(new TrainingRequest(TinyRun.Config(data), data, run));
        var before = TinyRun.Snapshot(run);

        TrainingPlan Plan(Hashtable set, SyntheticFaceDataset? dataset = null) =>
            TrainingPlan.Create(new TrainingRequest(TinyRun.Config(dataset ?? data, set), dataset ?? data, run) { Overwrite = true });

        Assert.Throws<PrecisionNotSupportedException>(() => Plan(new Hashtable { ["fp16"] = true }));
        Assert.Throws<DeviceUnavailableException>(() => Plan(new Hashtable { ["device"] = "cuda:99" }));
        using (var more = new SyntheticFaceDataset(classes: 8, imagesPerClass: 3, seed: 3))
            Assert.Equal("DatasetIncompatible", Assert.Throws<TrainingException>(() => Plan(new Hashtable { ["num_classes"] = 6 }, more)).ErrorId);
        Assert.Equal("ResumeNotFound", Assert.Throws<TrainingException>(() => TrainingPlan.Create(
            new TrainingRequest(TinyRun.Config(data, new Hashtable { ["save_all_states"] = false }), data, folder["other"]) { Resume = true })).ErrorId);
        var dense = Assert.Throws<TrainingException>(() => TrainingPlan.Create(
            new TrainingRequest(TinyRun.Config(data, new Hashtable { ["pfc_update"] = "dense" }), data, run) { Resume = true }));
        Assert.Equal("ResumeIncompatible", dense.ErrorId); // its optimizer state holds no centres
        Assert.Contains("pfc_update sparse vs dense", dense.Message);
        Assert.True(Plan(new Hashtable()).ReplacesRun); // the plan only says it will replace the run

        Assert.Equal(before, TinyRun.Snapshot(run));
        Assert.False(Directory.Exists(folder["other"]));
    }

    [Fact]
    public void A_config_files_class_and_image_counts_replaced_by_the_datasets_are_warnings()
    {
        using var folder = new TempFolder();
        using var data = TinyRun.Data();
        var yaml = folder["job.yaml"];
        File.WriteAllText(yaml, "network: mbf\nembedding_size: 32\nbatch_size: 4\nnum_classes: 10\nnum_image: 40\nnum_epoch: 1\n");
        var resolved = ConfigResolver.Resolve(yaml,
            dataset: new Dictionary<string, object?> { ["rec"] = "synthetic", ["num_classes"] = (long)data.NumClasses, ["num_image"] = (long)data.Count });

        Assert.Equal(6, resolved.Config.NumClasses); // the dataset's own count is what trains
        Assert.Equal([$"{yaml}:4: num_classes 10 is replaced by the dataset's 6.", $"{yaml}:5: num_image 40 is replaced by the dataset's 24."],
            resolved.Warnings);
        var plan = TrainingPlan.Create(new TrainingRequest(resolved, data, folder["run"]));
        Assert.Equal(resolved.Warnings, plan.Warnings);

        // -Set is explicit and wins over the dataset, without a warning (a plan refuses it below the dataset's identities).
        var set = ConfigResolver.Resolve(yaml, dataset: new Dictionary<string, object?> { ["rec"] = "synthetic", ["num_classes"] = 6L },
            set: new Hashtable { ["num_classes"] = 4 });
        Assert.DoesNotContain(set.Warnings, w => w.Contains("num_classes"));
        Assert.Equal(4, set.Config.NumClasses);
    }

    [Fact]
    public void A_validation_set_whose_folds_hold_one_kind_of_pair_is_a_warning()
    {
        using var folder = new TempFolder();
        using var data = TinyRun.Data();
        // 20 pairs, all "same" first: each of the 10 folds holds one kind, so TAR@FAR would be NaN at every verification.
        var bin = folder["sorted.bin"];
        VerificationBinWriter.Write(bin, new VerificationSet(
            Enumerable.Range(0, 40).Select(i => new[] { (byte)i }).ToArray(), Enumerable.Range(0, 20).Select(i => i < 10).ToArray()));

        var plan = TrainingPlan.Create(new TrainingRequest(TinyRun.Config(data), data, folder["run"]) { ValidationSets = [bin] });

        Assert.Contains(plan.Warnings, w => w.Contains("sorted"));
        Assert.False(Directory.Exists(folder["run"]));
    }

    [Fact]
    public void A_job_whose_world_size_differs_from_the_configs_is_a_programming_error()
    {
        using var folder = new TempFolder();
        using var data = TinyRun.Data();
        Assert.Throws<ArgumentException>(() => TrainingPlan.Create(new TrainingRequest(TinyRun.Config(data), data, folder["run"]) { Collectives = new TwoRanks() }));
        Assert.False(Directory.Exists(folder["run"]));
    }

    private sealed class TwoRanks : ICollectives
    {
        public int Rank => 0;
        public int WorldSize => 2;
        public TorchSharp.torch.Tensor AllGather(TorchSharp.torch.Tensor local) => throw new NotSupportedException();
        public void AllReduce(TorchSharp.torch.Tensor tensor, ReduceOp op) => throw new NotSupportedException();
        public int LocalRank => 0;
        public TorchSharp.torch.Tensor ReduceScatter(TorchSharp.torch.Tensor input) => throw new NotSupportedException();
        public void Broadcast(TorchSharp.torch.Tensor tensor, int root) => throw new NotSupportedException();
        public void Barrier() => throw new NotSupportedException();
        public void Abort(int exitCode) => throw new NotSupportedException();
    }
}

using System.Text.Json;
using InsightFace.Engine.Tests.Data;
using InsightFace.Engine.Tests.Support;

namespace InsightFace.Engine.Tests.Distributed;

/// <summary>
/// Training in real jobs of several processes (the worker's "step-parity" and "train" cases): data-parallel steps
/// against one process, an interrupted run resumed, and a run resumed with another number of processes.
/// </summary>
public class MultiProcessTrainingTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromMinutes(4);

    [MpiTheory(Mpi.Mpich)]
    [InlineData(2)]
    [InlineData(3)]
    public void Ranks_train_like_one_process_with_per_rank_batch_norm_under_MPICH(int processes) => StepParity(Mpi.Mpich, processes);

    [MpiTheory(Mpi.OpenMpi)]
    [InlineData(2)]
    [InlineData(4)]
    public void Ranks_train_like_one_process_with_per_rank_batch_norm_under_Open_MPI(int processes) => StepParity(Mpi.OpenMpi, processes);

    // 3 classes over 4 ranks: rank 3's shard is empty, and it still takes part in every collective.
    [MpiFact(Mpi.OpenMpi)]
    public void A_rank_with_an_empty_shard_trains_like_one_process() => StepParity(Mpi.OpenMpi, 4, "3");

    private static void StepParity(Mpi mpi, int processes, params string[] arguments)
    {
        var result = MpiRun.Workers(mpi, processes, Patience, ["step-parity", .. arguments]);
        Assert.True(result.ExitCode == 0, result.ToString());
        for (var rank = 0; rank < processes; rank++) Assert.Contains($"rank {rank}: step-parity ok", result.Output);
    }

    [MpiFact(Mpi.Mpich)]
    public void An_interrupted_run_of_two_processes_resumes_with_the_same_losses()
    {
        using var folder = new TempFolder();
        var whole = Train(Mpi.Mpich, 2, folder["whole"], batch: 2, stopAt: 0, resume: false);
        var first = Train(Mpi.Mpich, 2, folder["split"], batch: 2, stopAt: 5, resume: false);
        Assert.Contains("stopped", first.Output);

        // Step 5 lies inside an accumulation window (gradient_acc 2): each rank saved its window gradients too.
        var interrupt = Directory.GetDirectories(folder["split/checkpoints"]).Single(d => Path.GetFileName(d).StartsWith("step-"));
        string[] shards = ["head_rank0_of_2.pt", "head_rank1_of_2.pt"];
        foreach (var file in shards.Concat(["gradients_rank0_of_2.pt", "gradients_rank1_of_2.pt", "optimizer_rank0_of_2.dat", "model.pt"]))
            Assert.True(File.Exists(Path.Combine(interrupt, file)), $"{file} is missing from {interrupt}");
        // With the sparse update the optimizer holds only the backbone's state, the same on both ranks: one copy.
        Assert.False(File.Exists(Path.Combine(interrupt, "optimizer_rank1_of_2.dat")));
        using var manifest = JsonDocument.Parse(File.ReadAllText(Path.Combine(interrupt, "checkpoint.json")));
        Assert.Equal(shards, manifest.RootElement.GetProperty("head_shards").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal(2, manifest.RootElement.GetProperty("world_size").GetInt32());

        var rest = Train(Mpi.Mpich, 2, folder["split"], batch: 2, stopAt: 0, resume: true);
        Assert.Equal(Losses(whole.Output).Skip(5), Losses(first.Output).Skip(5).Concat(Losses(rest.Output)).ToArray());
        Assert.Equal(12, Losses(whole.Output).Length);
        Assert.Equal(Losses(whole.Output)[..5], Losses(first.Output));
    }

    // The global batch stays 6 (3 × 2, 2 × 3, 6 × 1), so the loader deals the same samples to each step; each stop lies
    // inside an accumulation window, so the window's gradients are re-sharded too. The head's rows are checked exactly
    // by ShardFilesTests; here the whole job must go on from each checkpoint, with steps counted on and shards re-cut.
    [MpiFact(Mpi.OpenMpi)]
    public void A_run_resumes_with_another_number_of_processes_2_to_3_to_1_to_2()
    {
        using var folder = new TempFolder();
        var run = folder["run"];
        (int Processes, int Batch, long StopAt)[] legs = [(2, 3, 3), (3, 2, 5), (1, 6, 7), (2, 3, 0)];
        var steps = new List<string>();
        for (var k = 0; k < legs.Length; k++)
        {
            var (processes, batch, stopAt) = legs[k];
            var result = Train(Mpi.OpenMpi, processes, run, batch, stopAt, resume: k > 0);
            Assert.Contains(stopAt > 0 ? "stopped" : "final", result.Output);
            steps.AddRange(Losses(result.Output).Select(l => l.Split(' ')[1]));
            var newest = Directory.GetDirectories(Path.Combine(run, "checkpoints")).MaxBy(GlobalStep)!;
            for (var rank = 0; rank < processes; rank++)
            {
                var shard = processes == 1 ? "head.pt" : $"head_rank{rank}_of_{processes}.pt";
                Assert.True(File.Exists(Path.Combine(newest, shard)), $"{shard} is missing from {newest}:\n{result}");
            }
        }
        // Every step of the 2 epochs (4 steps each) trained once, in order, across the four jobs.
        Assert.Equal(Enumerable.Range(1, 8).Select(s => s.ToString()), steps);
    }

    // A checkpoint's position counts steps of its total batch (batch_size × processes): resuming with another total
    // would misplace the epoch and the learning-rate schedule, so it is refused, with the batch_size that fits.
    [MpiFact(Mpi.Mpich)]
    public void Resuming_with_another_total_batch_is_refused_and_changes_nothing()
    {
        using var folder = new TempFolder();
        var run = folder["run"];
        Train(Mpi.Mpich, 2, run, batch: 3, stopAt: 3, resume: false);
        var before = Snapshot(run);

        var refused = MpiRun.Workers(Mpi.Mpich, 3, Patience, "train", run, "3", "0", "1");

        Assert.NotEqual(0, refused.ExitCode);
        Assert.Contains("[ResumeIncompatible]", refused.Output);
        Assert.Contains("total batch 6 vs 9", refused.Output);
        Assert.Contains("batch_size 2 for 3 process(es)", refused.Output);
        Assert.Equal(before, Snapshot(run));
    }

    private static string[] Snapshot(string root) =>
        Directory.EnumerateFiles(root, "*", SearchOption.AllDirectories)
            .Select(f => Path.GetRelativePath(root, f) + " " + Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(File.ReadAllBytes(f))))
            .Order(StringComparer.Ordinal).ToArray();

    // Rank 0 is killed at step 8, after the first epoch's checkpoint (step 6): the job must end, not hang, and the
    // epoch's checkpoint must stay complete, so that the run resumes from it.
    [MpiFact(Mpi.Mpich)]
    public void A_rank_killed_mid_run_ends_the_job_and_the_last_checkpoint_resumes_under_MPICH() => RankKilled(Mpi.Mpich);

    [MpiFact(Mpi.OpenMpi)]
    public void A_rank_killed_mid_run_ends_the_job_and_the_last_checkpoint_resumes_under_Open_MPI() => RankKilled(Mpi.OpenMpi);

    private static void RankKilled(Mpi mpi)
    {
        using var folder = new TempFolder();
        var run = folder["run"];
        var killed = MpiRun.Workers(mpi, 2, TimeSpan.FromSeconds(60), "train", run, "2", "0", "0", "8");

        Assert.False(killed.TimedOut, killed.ToString());
        Assert.NotEqual(0, killed.ExitCode);
        Assert.DoesNotContain("final", killed.Output);
        var checkpoints = Directory.GetDirectories(Path.Combine(run, "checkpoints")).Where(d => !Path.GetFileName(d).StartsWith('.')).ToArray();
        Assert.Equal(6, GlobalStep(Assert.Single(checkpoints)));

        var rest = Train(mpi, 2, run, batch: 2, stopAt: 0, resume: true);
        Assert.Equal(Enumerable.Range(7, 6).Select(s => s.ToString()), Losses(rest.Output).Select(l => l.Split(' ')[1]));
    }

    private static JobResult Train(Mpi mpi, int processes, string run, int batch, long stopAt, bool resume)
    {
        var result = MpiRun.Workers(mpi, processes, Patience, "train", run, batch.ToString(), stopAt.ToString(), resume ? "1" : "0");
        Assert.True(result.ExitCode == 0, result.ToString());
        return result;
    }

    private static long GlobalStep(string checkpoint)
    {
        using var manifest = JsonDocument.Parse(File.ReadAllText(Path.Combine(checkpoint, "checkpoint.json")));
        return manifest.RootElement.GetProperty("global_step").GetInt64();
    }

    // Open MPI's launcher may put terminal control codes in front of a rank's line.
    private static string[] Losses(string output) =>
        System.Text.RegularExpressions.Regex.Matches(output, @"loss \d+ \S+").Select(m => m.Value).ToArray();
}

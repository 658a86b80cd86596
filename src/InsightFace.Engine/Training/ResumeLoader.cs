using InsightFace.Engine.Heads;
using InsightFace.Engine.Import;
using InsightFace.Engine.Import.PyTorch;
using static TorchSharp.torch;

namespace InsightFace.Engine.Training;

/// <summary>
/// Loads what <see cref="CheckpointWriter"/> saved back into the parts of a run that continues it. A checkpoint
/// written by another number of processes is re-sharded: each rank reads the rows of its new shard from the saved
/// shards (centres, momentum, the window's centre gradients and sampled rows), and the window's backbone gradients,
/// summed over the saved ranks, go to rank 0.
/// </summary>
internal static class ResumeLoader
{
    /// <summary>Loads the plan's resume checkpoint into the backbone, the head and the optimizers.</summary>
    /// <exception cref="TrainingException">ResumeIncompatible: a file is missing or does not fit.</exception>
    public static void Load(TrainingPlan plan, nn.Module backbone, PartialFC head, OptimizationStep step)
    {
        var checkpoint = plan.ResumeFrom ?? throw new InvalidOperationException("The plan does not resume.");
        var saved = plan.ResumeState?.WorldSize ?? 1;
        var (rank, worldSize) = (plan.Request.Collectives.Rank, plan.Request.Collectives.WorldSize);
        var folder = checkpoint.Folder;
        try
        {
            using (var weights = PthReader.Read(checkpoint.ModelPath)) StateDictLoader.Load(backbone, weights, checkpoint.ModelPath);
            using (no_grad())
            {
                using (var centres = ReadHeadRows(folder, ShardFiles.Head, "weight", saved, head)) head.weight.copy_(centres);
                if (step.HeadMomentum is { } momentum)
                    using (var rows = ReadHeadRows(folder, ShardFiles.Head, "momentum", saved, head)) momentum.copy_(rows);
            }
            // An optimizer that holds head state has a file per rank (and re-shards are refused in the plan); one that
            // holds the backbone's only has rank 0's, the same for every rank.
            var own = saved == worldSize && ShardFiles.OptimizerPerRank(plan.Config);
            step.LoadOptimizerState(Path.Combine(folder, ShardFiles.Optimizer(own ? rank : 0, saved)));
            if (File.Exists(Path.Combine(folder, ShardFiles.Gradients(0, saved))))
                using (var pending = PendingGradients(folder, saved, rank, worldSize, head))
                    step.RestorePendingGradients(pending);
        }
        catch (Exception e) when (e is IOException or StateDictMismatchException or PthFormatException or KeyNotFoundException)
        {
            throw new TrainingException(ErrorIds.ResumeIncompatible, $"{folder}: the saved state cannot be loaded: {e.Message}", e);
        }
    }

    private static Tensor ReadHeadRows(string folder, Func<int, int, string> fileOf, string key, int saved, PartialFC head) =>
        ShardFiles.ReadRows(folder, fileOf, key, saved, head.NumClasses, head.Shard, head.EmbeddingSize);

    private static StateDict PendingGradients(string folder, int saved, int rank, int worldSize, PartialFC head)
    {
        if (saved == worldSize) return PthReader.Read(Path.Combine(folder, ShardFiles.Gradients(rank, worldSize)));
        var pending = rank == 0 ? ShardFiles.ReadBackboneGradients(folder, saved) : new StateDict();
        pending.Add("head.weight", ReadHeadRows(folder, ShardFiles.Gradients, "head.weight", saved, head));
        pending.Add("head.sampled_rows", ShardFiles.ReadSampledRows(folder, saved, head.NumClasses, head.Shard));
        return pending;
    }
}

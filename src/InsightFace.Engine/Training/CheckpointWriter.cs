using InsightFace.Engine.Checkpoints;
using InsightFace.Engine.Configuration;
using InsightFace.Engine.Heads;
using InsightFace.Engine.Import;
using InsightFace.Engine.Import.PyTorch;
using static TorchSharp.torch;

namespace InsightFace.Engine.Training;

/// <summary>
/// Writes a run's checkpoints: the backbone as model.pt, and with save_all_states what resume needs (the head's
/// centres and momentum as head.pt, the optimizer state, the position as trainer.json, and inside an accumulation
/// window the gradients gathered so far as gradients.pt).
/// </summary>
/// <remarks>
/// It knows its rank: as in arcface_torch, rank 0 writes the backbone and best/. The head shards of the other ranks
/// are not written yet, which is why a plan refuses more than one process.
/// </remarks>
internal sealed class CheckpointWriter(TrainingPlan plan, nn.Module backbone, PartialFC head, OptimizationStep step)
{
    public const string HeadFileName = "head.pt";
    public const string OptimizerFileName = "optimizer.dat";
    public const string GradientsFileName = "gradients.pt";

    private readonly TrainingConfig _config = plan.Config;

    /// <summary>This process's rank.</summary>
    public int Rank { get; } = plan.Request.Collectives.Rank;

    /// <summary>
    /// Writes a checkpoint of the run at <paramref name="position"/>, for <paramref name="reason"/> (epoch,
    /// interrupt); null on ranks other than 0, which write nothing.
    /// </summary>
    public CheckpointInfo? Save(string reason, TrainingState position, double epochLoss)
    {
        if (Rank != 0) return null;
        var state = position with
        {
            NumClasses = _config.NumClasses, Network = _config.Network, EmbeddingSize = _config.EmbeddingSize,
            WorldSize = _config.WorldSize, ConfigHash = plan.Request.Config.Hash, Optimizer = _config.Optimizer,
            DenseCentreUpdate = _config.DenseCentreUpdate,
        };
        var manifest = Manifest(reason, position.Epoch, position.GlobalStep, epochLoss, _config.SaveAllStates);
        return CheckpointStore.Save(plan.RunFolder, manifest, folder =>
        {
            CheckpointModel.SaveBackbone(folder, backbone);
            if (!_config.SaveAllStates) return;
            // The scope frees the detach()/cpu() intermediates of the copies too.
            using (NewDisposeScope())
            using (var headState = new StateDict())
            {
                headState.Add("weight", head.weight.detach().cpu().clone());
                if (step.HeadMomentum is { } momentum) headState.Add("momentum", momentum.detach().cpu().clone());
                PthWriter.Write(Path.Combine(folder, HeadFileName), headState, overwrite: true);
            }
            step.SaveOptimizerState(Path.Combine(folder, OptimizerFileName));
            if (step.HasPendingGradients)
                using (var gradients = step.PendingGradients())
                    PthWriter.Write(Path.Combine(folder, GradientsFileName), gradients, overwrite: true);
            state.Write(folder);
        }, _config.KeepCheckpoints);
    }

    /// <summary>Writes the backbone to the run folder's best/, replacing the previous best (rank 0 only).</summary>
    public void SaveBest(int epoch, long globalStep, double epochLoss)
    {
        if (Rank != 0) return;
        CheckpointStore.SaveStandalone(Path.Combine(plan.RunFolder, "best"), Manifest("best", epoch, globalStep, epochLoss, resumable: false),
            folder => CheckpointModel.SaveBackbone(folder, backbone), overwrite: true);
    }

    private CheckpointManifest Manifest(string reason, int epoch, long globalStep, double epochLoss, bool resumable) => new()
    {
        Network = _config.Network,
        EmbeddingSize = _config.EmbeddingSize,
        Epoch = epoch,
        GlobalStep = globalStep,
        Loss = epochLoss,
        NumClasses = _config.NumClasses,
        ConfigHash = plan.Request.Config.Hash,
        Resumable = resumable,
        Reason = reason,
        Dataset = plan.Request.Dataset.Info.DatasetPath,
        DataFolders = TrainingSetup.DataFolders(plan.Request.Dataset),
        Versions = new() { ["insightface_engine"] = typeof(Trainer).Assembly.GetName().Version?.ToString() ?? "" },
    };
}

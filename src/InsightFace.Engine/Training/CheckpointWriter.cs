using System.Text;
using InsightFace.Engine.Checkpoints;
using InsightFace.Engine.Configuration;
using InsightFace.Engine.Distributed;
using InsightFace.Engine.Files;
using InsightFace.Engine.Heads;
using InsightFace.Engine.Import;
using InsightFace.Engine.Import.PyTorch;
using static TorchSharp.torch;

namespace InsightFace.Engine.Training;

/// <summary>
/// Writes a run's checkpoints: the backbone as model.pt, and with save_all_states what resume needs (the head's
/// centres and momentum, the optimizer state, the position as trainer.json, and inside an accumulation window the
/// gradients gathered so far). File names per rank: <see cref="ShardFiles"/>.
/// </summary>
/// <remarks>
/// As in arcface_torch, rank 0 writes the backbone, trainer.json, the manifest and best/, and every rank writes its
/// own head shard, optimizer state and window gradients. Rank 0 builds the checkpoint in a staging folder and tells
/// the others where it is; they write their files into it; only when every rank has written does rank 0 add the
/// manifest and swap the folder in, so a checkpoint is either complete or absent. The run folder must therefore be
/// one folder that every rank sees (a shared file system when the ranks are on several machines).
/// </remarks>
internal sealed class CheckpointWriter(TrainingPlan plan, ICollectives collectives, nn.Module backbone, PartialFC head, OptimizationStep step)
{
    private readonly TrainingConfig _config = plan.Config;
    private readonly ICollectives _collectives = collectives;

    /// <summary>This process's rank.</summary>
    public int Rank => _collectives.Rank;

    /// <summary>
    /// Writes a checkpoint of the run at <paramref name="position"/>, for <paramref name="reason"/> (epoch,
    /// interrupt). Every rank must call it at the same step; every rank gets the checkpoint written.
    /// </summary>
    public CheckpointInfo Save(string reason, TrainingState position, double epochLoss)
    {
        if (Rank != 0)
        {
            var staging = ReceiveText();
            if (_config.SaveAllStates) WriteRankFiles(staging);
            _collectives.Barrier();
            return CheckpointStore.Open(ReceiveText());
        }

        var state = position with
        {
            NumClasses = _config.NumClasses, Network = _config.Network, EmbeddingSize = _config.EmbeddingSize,
            WorldSize = _config.WorldSize, TotalBatchSize = _config.TotalBatchSize, ConfigHash = plan.Request.Config.Hash, Optimizer = _config.Optimizer,
            DenseCentreUpdate = _config.DenseCentreUpdate,
        };
        var manifest = Manifest(reason, position.Epoch, position.GlobalStep, epochLoss, _config.SaveAllStates);
        var saved = CheckpointStore.Save(plan.RunFolder, manifest, folder =>
        {
            CheckpointModel.SaveBackbone(folder, backbone);
            if (_config.SaveAllStates)
            {
                WriteRankFiles(folder);
                state.Write(folder);
            }
            SendText(folder);
            _collectives.Barrier();
        }, _config.KeepCheckpoints);
        SendText(saved.Folder);
        return saved;
    }

    // This rank's head shard, optimizer state and (inside a window) gradients, each flushed to disk.
    private void WriteRankFiles(string folder)
    {
        var (rank, worldSize) = (Rank, _collectives.WorldSize);
        // The scope frees the detach()/cpu() intermediates of the copies too.
        using (NewDisposeScope())
        using (var headState = new StateDict())
        {
            headState.Add("weight", head.weight.detach().cpu().clone());
            if (step.HeadMomentum is { } momentum) headState.Add("momentum", momentum.detach().cpu().clone());
            PthWriter.Write(Path.Combine(folder, ShardFiles.Head(rank, worldSize)), headState, overwrite: true);
        }
        // With the sparse head update the optimizer holds the backbone's state only, the same on every rank: rank 0's
        // copy is enough (an r100's momentum is 260 MB a rank).
        if (rank == 0 || ShardFiles.OptimizerPerRank(_config)) step.SaveOptimizerState(Path.Combine(folder, ShardFiles.Optimizer(rank, worldSize)));
        if (step.HasPendingGradients)
            using (var gradients = step.PendingGradients())
                PthWriter.Write(Path.Combine(folder, ShardFiles.Gradients(rank, worldSize)), gradients, overwrite: true);
        // Rank 0 flushes the whole folder before the swap, but the others may be on other machines of a shared file system.
        if (rank == 0) return;
        foreach (var file in new[] { ShardFiles.Head(rank, worldSize), ShardFiles.Optimizer(rank, worldSize), ShardFiles.Gradients(rank, worldSize) })
            if (File.Exists(Path.Combine(folder, file))) Durable.FlushFile(Path.Combine(folder, file));
    }

    // The staging and final folders travel from rank 0 as UTF-8 bytes: their length, then the bytes.
    private void SendText(string text)
    {
        if (_collectives.WorldSize == 1) return;
        var bytes = Encoding.UTF8.GetBytes(text);
        using var length = tensor(new long[] { bytes.Length });
        _collectives.Broadcast(length, 0);
        using var content = tensor(bytes);
        _collectives.Broadcast(content, 0);
    }

    private string ReceiveText()
    {
        using var length = zeros(1, ScalarType.Int64);
        _collectives.Broadcast(length, 0);
        using var content = zeros(length.item<long>(), ScalarType.Byte);
        _collectives.Broadcast(content, 0);
        return Encoding.UTF8.GetString(content.data<byte>().ToArray());
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
        WorldSize = _config.WorldSize,
        HeadShards = resumable ? ShardFiles.HeadFiles(_config.WorldSize).ToArray() : Array.Empty<string>(),
        ConfigHash = plan.Request.Config.Hash,
        Resumable = resumable,
        Reason = reason,
        Dataset = plan.Request.Dataset.Info.DatasetPath,
        DataFolders = TrainingSetup.DataFolders(plan.Request.Dataset),
        Versions = new() { ["insightface_engine"] = typeof(Trainer).Assembly.GetName().Version?.ToString() ?? "" },
    };
}

using InsightFace.Engine.Backbones;
using InsightFace.Engine.Import;
using InsightFace.Engine.Import.PyTorch;
using TorchSharp;

namespace InsightFace.Engine.Checkpoints;

/// <summary>Moves backbones in and out of checkpoint folders.</summary>
public static class CheckpointModel
{
    /// <summary>
    /// Builds the checkpoint's network from the registry and loads model.pt into it, in eval mode on
    /// <paramref name="device"/> (CPU by default).
    /// </summary>
    /// <exception cref="CheckpointException">CheckpointIncompatible when the registry lacks the network or the
    /// weights do not fit it.</exception>
    public static Backbone LoadBackbone(CheckpointInfo checkpoint, torch.Device? device = null)
    {
        var manifest = checkpoint.Manifest;
        Backbone backbone;
        try
        {
            backbone = BackboneRegistry.Create(manifest.Network, new BackboneOptions { EmbeddingSize = manifest.EmbeddingSize });
        }
        catch (BackboneConfigurationException e)
        {
            throw new CheckpointException(ErrorIds.CheckpointIncompatible, checkpoint.Folder,
                $"{checkpoint.Folder}: the checkpoint's network '{manifest.Network}' (embedding {manifest.EmbeddingSize}) cannot be built: {e.Message}", e);
        }

        try
        {
            using var weights = PthReader.Read(checkpoint.ModelPath);
            StateDictLoader.Load(backbone, weights, checkpoint.ModelPath, strict: true);
        }
        catch (StateDictMismatchException e)
        {
            backbone.Dispose();
            throw new CheckpointException(ErrorIds.CheckpointIncompatible, checkpoint.Folder,
                $"{checkpoint.ModelPath} does not fit network '{manifest.Network}': {e.Message}", e);
        }
        if (device is not null) backbone.to(device);
        backbone.eval();
        return backbone;
    }

    /// <summary>
    /// Writes a checkpoint of network <paramref name="network"/> as arcface_torch initialises it, seeded, into
    /// <paramref name="folder"/>: a starting point, or a baseline to verify and export.
    /// </summary>
    public static CheckpointInfo CreateInitial(string folder, string network, int embeddingSize, long seed, bool overwrite)
    {
        torch.manual_seed(seed);
        using var backbone = BackboneRegistry.Create(network, new BackboneOptions { EmbeddingSize = embeddingSize });
        var manifest = new CheckpointManifest { Network = network, EmbeddingSize = embeddingSize, Reason = "init", Source = $"seed {seed}" };
        return CheckpointStore.SaveStandalone(folder, manifest, f => SaveBackbone(f, backbone), overwrite);
    }

    /// <summary>Writes <paramref name="backbone"/>'s state dict as model.pt in <paramref name="folder"/>.</summary>
    public static void SaveBackbone(string folder, torch.nn.Module backbone)
    {
        using var weights = StateDict.From(backbone);
        PthWriter.Write(Path.Combine(folder, CheckpointManifest.ModelFileName), weights, overwrite: true);
    }
}

using InsightFace.Engine.Backbones;
using InsightFace.Engine.Checkpoints;
using InsightFace.Engine.Import.Mxnet;
using InsightFace.Engine.Import.PyTorch;

namespace InsightFace.Engine.Import;

/// <summary>What an import wrote, and what of the file did not fit (only ever non-empty for a lenient load).</summary>
/// <param name="Checkpoint">The checkpoint folder written.</param>
/// <param name="Kind">The kind of file read.</param>
/// <param name="Report">The keys loaded and those that did not fit.</param>
/// <param name="Notes">What an MXNet translation changed so that the numbers match.</param>
public sealed record FaceModelImport(CheckpointInfo Checkpoint, ModelFileKind Kind, StateDictLoadReport Report, IReadOnlyList<string> Notes);

/// <summary>
/// Import-FaceModel's one engine call: an MXNet <c>.params</c> (+ <c>-symbol.json</c>) or a PyTorch state dict
/// loaded into one of our backbones and written as a checkpoint folder (checkpoint.json + model.pt).
/// </summary>
public static class FaceModelImporter
{
    /// <summary>
    /// Imports <paramref name="path"/> into a checkpoint at <paramref name="outputFolder"/>. For MXNet the network
    /// and embedding size come from the graph (<paramref name="network"/> may name another registry entry of the
    /// same shape); for PyTorch <paramref name="network"/> is required and the embedding size is read from the
    /// last BatchNorm unless given, from the top-level <paramref name="entry"/> when the file holds a dict of state
    /// dicts (arcface_torch's <c>checkpoint_gpu_N.pt</c>: <c>state_dict_backbone</c>). A strict load needs every key with its shape; a lenient one keeps the
    /// initial weights where the file has none and reports what did not fit.
    /// </summary>
    /// <exception cref="CheckpointException">CheckpointExists when the output exists and <paramref name="overwrite"/> is false.</exception>
    /// <exception cref="ModelImportException">NetworkRequired, or MxnetNetworkNotInRegistry for a network the registry cannot build.</exception>
    /// <exception cref="StateDictMismatchException">Strict, and keys are missing, extra or of another shape; nothing was written.</exception>
    public static FaceModelImport Import(string path, string outputFolder, string? network, int? embeddingSize, bool strict, bool overwrite,
        string? symbolPath = null, string? entry = null)
    {
        var output = Path.GetFullPath(outputFolder);
        if (!overwrite && (Directory.Exists(output) || File.Exists(output)))
            throw new CheckpointException(ErrorIds.CheckpointExists, output, $"{output} already exists. Use -Force to replace it.");

        var kind = ModelFiles.KindOf(path);
        StateDict weights;
        IReadOnlyList<string> notes = [];
        MappedBackbone? mapped = null;
        if (kind == ModelFileKind.MxnetParams)
        {
            mapped = MxnetImporter.Import(path, symbolPath);
            network ??= mapped.Network;
            embeddingSize ??= mapped.EmbeddingSize;
            notes = mapped.Notes;
            weights = mapped.ToStateDict();
        }
        else
        {
            weights = PthReader.Read(path, entry);
            if (network is null)
            {
                weights.Dispose();
                throw new ModelImportException(ErrorIds.NetworkRequired, path,
                    $"'{path}' is a PyTorch state dict, which does not say which network it is; pass -Network ({string.Join(", ", BackboneRegistry.Names)}).");
            }
            embeddingSize ??= EmbeddingSizeOf(weights);
        }

        using (weights)
        {
            using var backbone = Build(path, network, embeddingSize.Value, mapped);
            StateDictLoadReport report;
            try
            {
                report = StateDictLoader.Load(backbone, weights, path, strict);
            }
            catch (StateDictMismatchException e) when (mapped is { Scale: not null } && network == mapped.Network)
            {
                throw NotInRegistry(path, mapped, e);
            }
            var manifest = new CheckpointManifest
            {
                Network = network, EmbeddingSize = embeddingSize.Value, Reason = "import", Source = Path.GetFullPath(path),
            };
            var checkpoint = CheckpointStore.SaveStandalone(output, manifest, folder => CheckpointModel.SaveBackbone(folder, backbone), overwrite);
            return new FaceModelImport(checkpoint, kind, report, notes);
        }
    }

    private static Backbone Build(string path, string network, int embeddingSize, MappedBackbone? mapped)
    {
        try
        {
            return BackboneRegistry.Create(network, new BackboneOptions { EmbeddingSize = embeddingSize });
        }
        catch (BackboneConfigurationException e) when (e.ErrorId == ErrorIds.UnknownBackbone && mapped is { Scale: not null } && network == mapped.Network)
        {
            throw NotInRegistry(path, mapped, e);
        }
    }

    // A MobileFaceNet whose width or blocks no registry network has (InsightFace's fmobilefacenet is scale 1; mbf is 2).
    private static ModelImportException NotInRegistry(string path, MappedBackbone mapped, Exception inner) =>
        new(ErrorIds.MxnetNetworkNotInRegistry, path,
            $"'{path}' is an MXNet MobileFaceNet ('{mapped.Network}'): arcface_torch's MobileFaceNet with blocks [{string.Join(", ", mapped.Blocks)}] " +
            $"at width scale {mapped.Scale}, embedding {mapped.EmbeddingSize}. The registry has no network of that shape " +
            $"({string.Join(", ", BackboneRegistry.Names)}); pass -Network with one that has it.", inner);

    // arcface_torch's backbones end with a BatchNorm over the embedding (features / features.layers.3).
    private static int EmbeddingSizeOf(StateDict weights) =>
        weights.Keys.LastOrDefault(k => k.EndsWith(".running_mean", StringComparison.Ordinal) && weights[k].shape.Length == 1) is { } key
            ? (int)weights[key].shape[0]
            : 512;
}

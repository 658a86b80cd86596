using InsightFace.Engine.Data;
using InsightFace.Engine.Data.Synthetic;
using InsightFace.Engine.Evaluation;

namespace InsightFace.Engine.Training;

/// <summary>Finds what a training run reads: its dataset and its verification sets.</summary>
public static class TrainingSetup
{
    /// <summary>The config's <c>rec</c> value that asks for the built-in synthetic identities.</summary>
    public const string Synthetic = "synthetic";

    /// <summary>
    /// Opens the dataset a config names: a path (any format Get-FaceDataset reads), or <c>synthetic</c>, which
    /// builds num_classes learnable identities with num_image / num_classes images each from the seed.
    /// </summary>
    /// <exception cref="Configuration.ConfigException">ConfigValueInvalid: a synthetic set's num_image is below its num_classes.</exception>
    public static IFaceDataset OpenDataset(string rec, int numClasses, long numImage, long seed)
    {
        if (rec != Synthetic) return DatasetOpener.Open(rec);
        if (numImage < numClasses)
            throw new Configuration.ConfigException(ErrorIds.ConfigValueInvalid,
                $"rec: synthetic gives each of the num_classes identities num_image / num_classes images, and num_image {numImage} " +
                $"is less than num_classes {numClasses}: give num_image at least {numClasses} (for example {4L * numClasses}).", "num_image");
        return new SyntheticFaceDataset(numClasses, checked((int)(numImage / numClasses)), seed);
    }

    /// <summary>The config values a dataset supplies: rec, num_classes and num_image.</summary>
    public static IReadOnlyDictionary<string, object?> Facts(IFaceDataset dataset) => new Dictionary<string, object?>
    {
        ["rec"] = dataset.Info.DatasetPath,
        ["num_classes"] = (long)dataset.NumClasses,
        ["num_image"] = (long)dataset.Count,
    };

    /// <summary>
    /// Where verification sets that go with <paramref name="dataset"/> are: its folder, then the folders of its
    /// <c>.bin</c> files (a synthetic set's held-out pairs may be anywhere). Full paths, without repeats.
    /// </summary>
    public static IReadOnlyList<string> DataFolders(IFaceDataset dataset)
    {
        var datasetFolder = Directory.Exists(dataset.Info.DatasetPath) ? new[] { dataset.Info.DatasetPath } : Array.Empty<string>();
        var beside = dataset.Info.ValidationTargets.Select(Path.GetDirectoryName).OfType<string>();
        return datasetFolder.Concat(beside).Select(Path.GetFullPath).Distinct().ToArray();
    }

    /// <summary>
    /// Resolves val_targets: names are looked up as &lt;name&gt;.bin in <paramref name="folders"/> and beside the
    /// dataset (its .bin files), paths are taken as they are. Targets that cannot be found are returned separately,
    /// so the caller can warn rather than silently skip them as arcface_torch does.
    /// </summary>
    public static (IReadOnlyList<string> Found, IReadOnlyList<string> Missing) FindValidationSets(
        IEnumerable<string> targets, IFaceDataset dataset, IEnumerable<string> folders)
    {
        var search = folders.Concat(DataFolders(dataset)).ToArray();
        var found = new List<string>();
        var missing = new List<string>();
        foreach (var target in targets)
        {
            try
            {
                found.Add(VerificationTargets.Resolve(target, search));
            }
            catch (EvaluationException)
            {
                missing.Add(target);
            }
        }
        return (found, missing);
    }
}

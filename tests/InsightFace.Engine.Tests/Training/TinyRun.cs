using System.Collections;
using System.Security.Cryptography;
using InsightFace.Engine.Configuration;
using InsightFace.Engine.Data.Synthetic;
using InsightFace.Engine.Training;

namespace InsightFace.Engine.Tests.Training;

/// <summary>The smallest real training run (6 synthetic classes × 4 images, mbf at E = 32, batch 4: 6 steps an epoch), and a folder's exact state.</summary>
internal static class TinyRun
{
    public static SyntheticFaceDataset Data() => new(classes: 6, imagesPerClass: 4, seed: 3);

    public static ResolvedConfig Config(SyntheticFaceDataset data, Hashtable? set = null)
    {
        var values = new Hashtable
        {
            ["network"] = "mbf", ["embedding_size"] = 32, ["batch_size"] = 4, ["num_epoch"] = 1, ["lr"] = 0.05,
            ["num_workers"] = 1, ["frequent"] = 2, ["verbose"] = 1000, ["seed"] = 11,
        };
        foreach (DictionaryEntry entry in set ?? new Hashtable()) values[entry.Key] = entry.Value;
        return ConfigResolver.Resolve(null,
            dataset: new Dictionary<string, object?> { ["rec"] = "synthetic", ["num_classes"] = (long)data.NumClasses, ["num_image"] = (long)data.Count },
            set: values);
    }

    public static TrainingOutcome Train(TrainingRequest request, ITrainingObserver? observer = null)
    {
        using var trainer = new Trainer(request, observer ?? new RecordingObserver());
        return trainer.Run(CancellationToken.None);
    }

    /// <summary>Every folder and file under <paramref name="root"/> (hidden ones too), files with their SHA-256, sorted.</summary>
    public static string[] Snapshot(string root) =>
        Directory.EnumerateFileSystemEntries(root, "*", SearchOption.AllDirectories)
            .Select(p => Path.GetRelativePath(root, p) + (Directory.Exists(p) ? "/" : " " + Convert.ToHexString(SHA256.HashData(File.ReadAllBytes(p)))))
            .Order(StringComparer.Ordinal)
            .ToArray();
}

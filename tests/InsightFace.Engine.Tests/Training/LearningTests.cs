using System.Collections;
using InsightFace.Engine.Checkpoints;
using InsightFace.Engine.Configuration;
using InsightFace.Engine.Data.Synthetic;
using InsightFace.Engine.Data.Verification;
using InsightFace.Engine.Evaluation;
using InsightFace.Engine.Tests.Data;
using InsightFace.Engine.Tests.Support;
using InsightFace.Engine.Training;

namespace InsightFace.Engine.Tests.Training;

/// <summary>Real learning, not timed: examples/configs/synthetic_mbf.yaml on the synthetic identities.</summary>
[Collection("Training")]
public class LearningTests
{
    [Fact]
    public void Synthetic_mbf_separates_identities_it_never_saw()
    {
        using var temp = new TempFolder();
        var folder = temp.Path;
        using var dataset = new SyntheticFaceDataset(classes: 40, imagesPerClass: 30, seed: 2048);
        var pairs = dataset.HeldOutPairs(600).ToList();
        var bin = Path.Combine(folder, "synthetic_pairs.bin");
        VerificationBinWriter.Write(bin, new VerificationSet(
            pairs.SelectMany(p => new[] { p.ImageA, p.ImageB }).ToList(), pairs.Select(p => p.Same).ToList()));

        var config = ConfigResolver.Resolve(Path.Combine(Fixtures.RepoRoot, "examples", "configs", "synthetic_mbf.yaml"),
            set: new Hashtable { ["output"] = Path.Combine(folder, "run"), ["val_targets"] = Array.Empty<string>() });
        var recorder = new RecordingObserver();
        using (var trainer = new Trainer(new TrainingRequest(config, dataset, config.Config.Output) { ValidationSets = [bin] }, recorder))
            trainer.Run(CancellationToken.None);

        var tenth = recorder.Losses.Count / 10;
        var first = recorder.Losses.Take(tenth).Average();
        var last = recorder.Losses.TakeLast(tenth).Average();
        Assert.True(last < first / 2, $"loss went from {first:F3} to {last:F3}");
        var final = recorder.Verifications[^1];
        Assert.Equal(600, final.Pairs);
        Assert.True(final.Accuracy >= 0.95, $"held-out accuracy {final.Accuracy:F4}");
    }
}

using System.Collections;
using InsightFace.Engine.Checkpoints;
using InsightFace.Engine.Configuration;
using InsightFace.Engine.Data.ImageFolder;
using InsightFace.Engine.Data.Verification;
using InsightFace.Engine.Evaluation;
using InsightFace.Engine.Tests.Data;
using InsightFace.Engine.Tests.Support;
using InsightFace.Engine.Training;
using Xunit.Abstractions;

namespace InsightFace.Engine.Tests.Training;

/// <summary>
/// Real faces: a MobileFaceNet trained from scratch on 30 ORL identities must verify pairs of the 10 identities it
/// never saw well above chance. The README reports the accuracy this measures.
/// </summary>
[Collection("Training")]
public class RealFaceLearningTests(ITestOutputHelper output)
{
    [FixtureFact("orl-faces-112")]
    public void Orl_identities_held_out_from_training_verify_well_above_chance()
    {
        var identities = Directory.GetDirectories(Fixtures.Path("orl-faces-112")).Order(StringComparer.Ordinal).ToArray();
        Assert.Equal(40, identities.Length);
        using var temp = new TempFolder();
        var work = temp.Path;
        var train = Directory.CreateDirectory(Path.Combine(work, "train")).FullName;
        foreach (var identity in identities.Take(30))
        {
            var copy = Directory.CreateDirectory(Path.Combine(train, Path.GetFileName(identity))).FullName;
            foreach (var file in Directory.GetFiles(identity)) File.Copy(file, Path.Combine(copy, Path.GetFileName(file)));
        }

        // Every same-identity pair of the 10 held-out people (450), and as many different-identity pairs, interleaved.
        var heldOut = identities.Skip(30).Select(i => Directory.GetFiles(i).Order(StringComparer.Ordinal).ToArray()).ToArray();
        var same = new List<(string, string)>();
        var different = new List<(string, string)>();
        for (var p = 0; p < heldOut.Length; p++)
        for (var i = 0; i < 10; i++)
        for (var j = i + 1; j < 10; j++)
        {
            same.Add((heldOut[p][i], heldOut[p][j]));
            different.Add((heldOut[p][i], heldOut[(p + 1 + (i + j) % 9) % 10][j]));
        }
        var pairs = same.Zip(different).SelectMany(t => new[] { (t.First, true), (t.Second, false) }).ToList();
        var bin = Path.Combine(work, "orl_heldout.bin");
        VerificationBinWriter.Write(bin, new VerificationSet(
            pairs.SelectMany(p => new[] { File.ReadAllBytes(p.Item1.Item1), File.ReadAllBytes(p.Item1.Item2) }).ToList(),
            pairs.Select(p => p.Item2).ToList()));

        using var dataset = ImageFolderDataset.Open(train);
        var config = ConfigResolver.Resolve(Path.Combine(Fixtures.RepoRoot, "examples", "configs", "synthetic_mbf.yaml"),
            dataset: TrainingSetup.Facts(dataset),
            set: new Hashtable
            {
                ["output"] = Path.Combine(work, "run"), ["val_targets"] = Array.Empty<string>(), ["batch_size"] = 30,
                ["num_epoch"] = 16, ["warmup_epoch"] = 2, ["verbose"] = 160, ["margin_list"] = new[] { 1.0, 0.0, 0.35 },
            });
        var recorder = new RecordingObserver();
        using (var trainer = new Trainer(new TrainingRequest(config, dataset, config.Config.Output) { ValidationSets = [bin] }, recorder))
            trainer.Run(CancellationToken.None);

        var result = recorder.Verifications[^1];
        output.WriteLine($"ORL held-out: {result.Pairs} pairs, accuracy {result.Accuracy:F4} ± {result.AccuracyStd:F4}, " +
                         $"loss {recorder.Losses.Take(10).Average():F2} -> {recorder.Losses.TakeLast(10).Average():F2}");
        Assert.Equal(900, result.Pairs);
        Assert.True(result.Accuracy >= 0.70, $"held-out ORL accuracy {result.Accuracy:F4}");
    }
}

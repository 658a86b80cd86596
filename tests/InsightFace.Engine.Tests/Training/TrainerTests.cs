using System.Collections;
using InsightFace.Engine.Backbones;
using InsightFace.Engine.Checkpoints;
using InsightFace.Engine.Configuration;
using InsightFace.Engine.Data.Synthetic;
using InsightFace.Engine.Evaluation;
using InsightFace.Engine.Import.PyTorch;
using InsightFace.Engine.Tests.Data;
using InsightFace.Engine.Training;
using InsightFace.Engine.Tests.Support;
using TorchSharp;

namespace InsightFace.Engine.Tests.Training;

[Collection("Training")]
public class TrainerTests
{
    // 6 classes x 4 images, batch 4: 6 steps per epoch with mbf at embedding 32, a few seconds on two cores.
    private static ResolvedConfig Config(SyntheticFaceDataset data, Hashtable? set = null)
    {
        var values = new Hashtable
        {
            ["network"] = "mbf", ["embedding_size"] = 32, ["batch_size"] = 4, ["num_epoch"] = 2, ["lr"] = 0.05,
            ["num_workers"] = 1, ["frequent"] = 2, ["verbose"] = 1000, ["seed"] = 11, ["margin_list"] = new[] { 1.0, 0.5, 0.0 },
        };
        foreach (DictionaryEntry entry in set ?? new Hashtable()) values[entry.Key] = entry.Value;
        return ConfigResolver.Resolve(null,
            dataset: new Dictionary<string, object?> { ["rec"] = "synthetic", ["num_classes"] = (long)data.NumClasses, ["num_image"] = (long)data.Count },
            set: values);
    }

    private static TrainingOutcome Train(TrainingRequest request, RecordingObserver recorder, CancellationToken token = default)
    {
        using var trainer = new Trainer(request, recorder);
        return trainer.Run(token);
    }

    private static float[] Weights(string modelPath)
    {
        using var state = PthReader.Read(modelPath);
        return state.Keys.SelectMany(k => state[k].to_type(torch.ScalarType.Float32).data<float>().ToArray()).ToArray();
    }

    [Fact]
    public void Resume_after_an_interrupt_reproduces_the_uninterrupted_run_exactly()
    {
        using var data = new SyntheticFaceDataset(classes: 6, imagesPerClass: 4, seed: 3);
        var config = Config(data);
        using var temp = new TempFolder();
        var root = temp.Path;

        var straight = new RecordingObserver();
        var whole = Train(new TrainingRequest(config, data, Path.Combine(root, "whole")), straight);
        Assert.Equal(12, straight.Losses.Count);

        using var stop = new CancellationTokenSource();
        var first = new RecordingObserver(step => { if (step.GlobalStep == 8) stop.Cancel(); });
        var split = Path.Combine(root, "split");
        Assert.ThrowsAny<OperationCanceledException>(() => Train(new TrainingRequest(config, data, split), first, stop.Token));
        var interrupt = CheckpointStore.Open(split);
        Assert.Equal("interrupt", interrupt.Manifest.Reason);
        Assert.Equal(8, interrupt.Manifest.GlobalStep);
        Assert.True(interrupt.Manifest.Resumable);

        var second = new RecordingObserver();
        var resumed = Train(new TrainingRequest(config, data, split) { Resume = true }, second);

        Assert.Equal(straight.Losses, first.Losses.Concat(second.Losses));
        Assert.Equal(12, resumed.Final.Manifest.GlobalStep);
        Assert.Equal(Weights(whole.Final.ModelPath), Weights(resumed.Final.ModelPath));
    }

    // 8 ends an accumulation window; 7 is inside one, so the checkpoint must carry the window's gradients.
    [Theory]
    [InlineData(8)]
    [InlineData(7)]
    public void Resume_is_exact_with_gradient_accumulation_and_partial_fc_sampling(int stopAt)
    {
        using var data = new SyntheticFaceDataset(classes: 6, imagesPerClass: 4, seed: 3);
        var config = Config(data, new Hashtable { ["gradient_acc"] = 2, ["sample_rate"] = 0.5 });
        var root = Directory.CreateTempSubdirectory().FullName;

        var straight = new RecordingObserver();
        var whole = Train(new TrainingRequest(config, data, Path.Combine(root, "whole")), straight);

        using var stop = new CancellationTokenSource();
        var first = new RecordingObserver(step => { if (step.GlobalStep == stopAt) stop.Cancel(); });
        var split = Path.Combine(root, "split");
        Assert.ThrowsAny<OperationCanceledException>(() => Train(new TrainingRequest(config, data, split), first, stop.Token));
        Assert.Equal(stopAt % 2 == 1, File.Exists(Path.Combine(CheckpointStore.List(split)[^1].Folder, "gradients.pt")));
        var second = new RecordingObserver();
        var resumed = Train(new TrainingRequest(config, data, split) { Resume = true }, second);

        Assert.Equal(straight.Losses, first.Losses.Concat(second.Losses));
        Assert.Equal(Weights(whole.Final.ModelPath), Weights(resumed.Final.ModelPath));
        Assert.Equal(HeadWeights(whole.Final.Folder), HeadWeights(resumed.Final.Folder));
    }

    // The checkpoint's files hold NCHW tensors whatever memory_format wrote them, so a run resumes in either layout.
    // One checkpoint inside an accumulation window (step 7: momentum and pending gradients of 4-D weights) is resumed
    // in both layouts for two steps: the update at step 8 applies the loaded momentum and gradients. The two agree to
    // float32 rounding (the layouts sum convolutions in other orders), far below the size of the update itself, which
    // a misread buffer would change by about its own size.
    [ChannelsLastTheory]
    [InlineData("channels_last", "contiguous")]
    [InlineData("contiguous", "channels_last")]
    public void A_run_interrupted_in_one_memory_format_resumes_in_the_other(string before, string after)
    {
        using var data = new SyntheticFaceDataset(classes: 6, imagesPerClass: 4, seed: 3);
        ResolvedConfig In(string format) => Config(data, new Hashtable { ["gradient_acc"] = 2, ["memory_format"] = format });
        using var temp = new TempFolder();
        var same = Path.Combine(temp.Path, "same");
        TrainUntil(In(before), data, same, 7, resume: false);
        Assert.True(File.Exists(Path.Combine(CheckpointStore.List(same)[^1].Folder, "gradients.pt")));
        var atStep7 = Weights(CheckpointStore.List(same)[^1].ModelPath);
        var other = Path.Combine(temp.Path, "other");
        CopyFolder(same, other);

        var sameLosses = TrainUntil(In(before), data, same, 9, resume: true);
        var otherLosses = TrainUntil(In(after), data, other, 9, resume: true);

        Assert.Equal(2, otherLosses.Count);
        foreach (var (expected, actual) in sameLosses.Zip(otherLosses))
            Assert.True(Math.Abs(expected - actual) <= 1e-3 * Math.Abs(expected), $"losses {string.Join(", ", otherLosses)} against {string.Join(", ", sameLosses)}");
        var expectedWeights = Weights(CheckpointStore.List(same)[^1].ModelPath);
        var actualWeights = Weights(CheckpointStore.List(other)[^1].ModelPath);
        var update = expectedWeights.Zip(atStep7, (w, w7) => MathF.Abs(w - w7)).Max();
        var error = expectedWeights.Zip(actualWeights, (e, a) => MathF.Abs(e - a)).Max();
        Assert.True(error <= 1e-2 * update, $"max |difference| {error} against the largest change in the two steps, {update}");
    }

    // A CPU run asked for channels_last first checks libtorch's kernels on its own backbone and batch size
    // (ChannelsLastCheck). Where they are wrong it trains in NCHW, with the very numbers of a contiguous run, and says
    // so on the observer and in training.log; where they are right it trains in channels_last, to float32 rounding.
    [Fact]
    public void A_cpu_run_trains_in_channels_last_only_where_the_check_finds_it_right()
    {
        using var data = new SyntheticFaceDataset(classes: 6, imagesPerClass: 4, seed: 3);
        using var temp = new TempFolder();
        var contiguous = new RecordingObserver();
        Train(new TrainingRequest(Config(data), data, temp["nchw"]), contiguous);
        var channelsLast = new RecordingObserver();
        Train(new TrainingRequest(Config(data, new Hashtable { ["memory_format"] = "channels_last" }), data, temp["last"]), channelsLast);

        const string note = "memory_format: channels_last gives wrong values on this CPU (mbf at batch 4: embeddings ";
        var log = File.ReadAllText(Path.Combine(temp["last"], "training.log"));
        if (!ChannelsLastCheck.Compare("mbf", new BackboneOptions { EmbeddingSize = 32 }, 4).IsRounding)
        {
            Assert.Contains(channelsLast.Messages, m => m.StartsWith(note) && m.EndsWith("training in contiguous."));
            Assert.Contains(note, log);
            Assert.Equal(contiguous.Losses, channelsLast.Losses);
        }
        else
        {
            Assert.DoesNotContain(channelsLast.Messages, m => m.StartsWith(note));
            Assert.DoesNotContain(note, log);
            Assert.Equal(contiguous.Losses.Count, channelsLast.Losses.Count);
            foreach (var (expected, actual) in contiguous.Losses.Zip(channelsLast.Losses))
                Assert.True(Math.Abs(expected - actual) <= 1e-3 * Math.Abs(expected), $"losses {string.Join(", ", channelsLast.Losses)} against {string.Join(", ", contiguous.Losses)}");
        }
    }

    // Trains until the step after global step stopAt has been reported, then interrupts (a resumable checkpoint at stopAt); the losses reported.
    private static List<double> TrainUntil(ResolvedConfig config, SyntheticFaceDataset data, string folder, int stopAt, bool resume)
    {
        using var stop = new CancellationTokenSource();
        var observer = new RecordingObserver(step => { if (step.GlobalStep == stopAt) stop.Cancel(); });
        Assert.ThrowsAny<OperationCanceledException>(() => Train(new TrainingRequest(config, data, folder) { Resume = resume }, observer, stop.Token));
        Assert.Equal(stopAt, CheckpointStore.List(folder)[^1].Manifest.GlobalStep);
        return observer.Losses;
    }

    private static void CopyFolder(string from, string to)
    {
        foreach (var folder in Directory.EnumerateDirectories(from, "*", SearchOption.AllDirectories))
            Directory.CreateDirectory(Path.Combine(to, Path.GetRelativePath(from, folder)));
        Directory.CreateDirectory(to);
        foreach (var file in Directory.EnumerateFiles(from, "*", SearchOption.AllDirectories))
            File.Copy(file, Path.Combine(to, Path.GetRelativePath(from, file)));
    }

    private static float[] HeadWeights(string checkpoint)
    {
        using var state = PthReader.Read(Path.Combine(checkpoint, "head.pt"));
        return state["weight"].data<float>().ToArray();
    }

    [Fact]
    public void Writes_arcface_logs_metrics_tensorboard_and_the_resolved_config()
    {
        using var data = new SyntheticFaceDataset(classes: 6, imagesPerClass: 4, seed: 3);
        using var temp = new TempFolder();
        var run = temp["run"];
        var recorder = new RecordingObserver();
        var outcome = Train(new TrainingRequest(Config(data, new Hashtable { ["num_epoch"] = 1 }), data, run), recorder);

        var log = File.ReadAllLines(Path.Combine(run, "training.log"));
        Assert.Contains(log, l => System.Text.RegularExpressions.Regex.IsMatch(l,
            @"^Training: \d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3}-Speed \d+\.\d\d samples/sec   Loss \d+\.\d{4}   LearningRate \d\.\d{6}   Epoch: 0   Global Step: 2   Required: \d+ hours$"));
        Assert.Contains(log, l => l.EndsWith(": total_step                      6"));
        Assert.Equal(3, File.ReadAllLines(Path.Combine(run, "metrics.jsonl")).Length);
        Assert.Single(Directory.GetFiles(run, "events.out.tfevents.*"));
        Assert.Equal(ConfigResolver.Resolve(Path.Combine(run, "config.resolved.yaml")).Hash, Config(data, new Hashtable { ["num_epoch"] = 1 }).Hash);
        Assert.Equal(3, recorder.Logs.Count);
        Assert.Equal(recorder.Losses.Take(2).Average(), recorder.Logs[0].LossAverage, 6);
        Assert.Equal(1, outcome.Final.Manifest.Epoch);
        Assert.True(File.Exists(Path.Combine(run, "model.pt")));
    }

    [Fact]
    public void Bad_runs_fail_before_training_with_clear_errors()
    {
        using var data = new SyntheticFaceDataset(classes: 6, imagesPerClass: 4, seed: 3);
        using var temp = new TempFolder();
        var root = temp.Path;

        var classes = Assert.Throws<TrainingException>(() => new Trainer(
            new TrainingRequest(Config(data, new Hashtable { ["num_classes"] = 5 }), data, Path.Combine(root, "a")), new RecordingObserver()));
        Assert.Equal("DatasetIncompatible", classes.ErrorId);

        var nothing = Assert.Throws<TrainingException>(() => new Trainer(
            new TrainingRequest(Config(data), data, Path.Combine(root, "b")) { Resume = true }, new RecordingObserver()));
        Assert.Equal("ResumeNotFound", nothing.ErrorId);

        var run = Path.Combine(root, "c");
        Train(new TrainingRequest(Config(data, new Hashtable { ["num_epoch"] = 1 }), data, run), new RecordingObserver());
        var exists = Assert.Throws<TrainingException>(() => new Trainer(new TrainingRequest(Config(data), data, run), new RecordingObserver()));
        Assert.Equal("RunExists", exists.ErrorId);

        var other = Assert.Throws<TrainingException>(() => new Trainer(
            new TrainingRequest(Config(data, new Hashtable { ["embedding_size"] = 16 }), data, run) { Resume = true }, new RecordingObserver()));
        Assert.Equal("ResumeIncompatible", other.ErrorId);
        Assert.Contains("embedding_size 32 vs 16", other.Message);
    }

    [Fact]
    public void A_non_finite_loss_stops_naming_the_step_and_keeps_the_last_good_checkpoint()
    {
        using var data = new SyntheticFaceDataset(classes: 6, imagesPerClass: 4, seed: 3);
        using var temp = new TempFolder();
        var run = temp["run"];
        Train(new TrainingRequest(Config(data, new Hashtable { ["num_epoch"] = 1 }), data, run), new RecordingObserver());
        var good = CheckpointStore.Open(run);

        var diverge = Config(data, new Hashtable { ["num_epoch"] = 2, ["lr"] = 1e30 });
        var e = Assert.Throws<TrainingException>(() => Train(new TrainingRequest(diverge, data, run) { Resume = true }, new RecordingObserver()));
        Assert.Equal("LossNotFinite", e.ErrorId);
        Assert.Matches(@"global step \d+ \(epoch 1", e.Message);
        var after = CheckpointStore.Open(run);
        Assert.Equal(good.Manifest.GlobalStep, after.Manifest.GlobalStep);
        Assert.Equal(Weights(good.ModelPath), Weights(after.ModelPath));

        var skip = new RecordingObserver();
        var outcome = Train(new TrainingRequest(Config(data, new Hashtable { ["num_epoch"] = 2, ["lr"] = 1e30, ["nan_policy"] = "skip" }), data, run) { Resume = true }, skip);
        Assert.Equal(12, outcome.Final.Manifest.GlobalStep);
        Assert.Contains(skip.Messages, m => m.StartsWith("Skipped batch"));
    }

    [Fact]
    public void Overfits_a_tiny_set_until_the_loss_is_near_zero()
    {
        using var data = new SyntheticFaceDataset(classes: 4, imagesPerClass: 2, seed: 5);
        var config = Config(data, new Hashtable { ["batch_size"] = 8, ["num_epoch"] = 60, ["lr"] = 0.1, ["frequent"] = 100, ["weight_decay"] = 0.0 });
        var recorder = new RecordingObserver();
        using var temp = new TempFolder();
        Train(new TrainingRequest(config, data, temp["run"]), recorder);

        Assert.Equal(60, recorder.Losses.Count);
        Assert.True(recorder.Losses[0] > 10, $"the first loss is {recorder.Losses[0]:F3}");
        Assert.True(recorder.Losses.TakeLast(5).Average() < 0.05 * recorder.Losses[0],
            $"loss went from {recorder.Losses[0]:F3} to {recorder.Losses.TakeLast(5).Average():F3}");
    }
}

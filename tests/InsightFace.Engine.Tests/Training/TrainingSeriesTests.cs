using System.Collections;
using System.Text.Json;
using InsightFace.Engine.Checkpoints;
using InsightFace.Engine.Tests.Data;
using InsightFace.Engine.Training;
using InsightFace.Engine.Training.Plotting;

namespace InsightFace.Engine.Tests.Training;

[Collection("Training")]
public class TrainingSeriesTests
{
    [Fact]
    public void Each_step_is_kept_once_with_its_last_value_in_step_order()
    {
        // A run logged 2..8, was killed, and resumed from its checkpoint of step 4.
        var logged = new (long, double?)[] { (2, 9), (4, 8), (6, 7), (8, 6), (6, 6.5), (8, 5.5), (10, 4.5) };

        Assert.Equal(new (long, double)[] { (2, 9), (4, 8), (6, 6.5), (8, 5.5), (10, 4.5) }, TrainingSeries.LastPerStep(logged));
    }

    [Fact]
    public void A_step_whose_last_value_is_null_has_no_point()
    {
        var logged = new (long, double?)[] { (2, 9), (4, 8), (4, null), (6, null), (6, 7) };

        Assert.Equal(new (long, double)[] { (2, 9), (6, 7) }, TrainingSeries.LastPerStep(logged));
    }

    [Fact]
    public void Reads_loss_learning_rate_and_accuracy_per_target_each_step_once()
    {
        using var folder = new TempFolder();
        File.WriteAllLines(folder["metrics.jsonl"],
        [
            """{"type":"train","step":10,"loss":4.0,"lr":0.1}""",
            """{"type":"train","step":20,"loss":3.0,"lr":0.09}""",
            """{"type":"verification","step":20,"target":"lfw","accuracy":0.6}""",
            """{"type":"verification","step":20,"target":"cfp_fp","accuracy":0.55}""",
            """{"type":"train","step":20,"loss":2.9,"lr":0.08}""",
            """{"type":"verification","step":20,"target":"lfw","accuracy":0.65}""",
            """{"type":"train","step":30,"loss":null,"lr":0.07}""",
        ]);

        var series = TrainingSeries.Read(folder["metrics.jsonl"]);

        Assert.Equal(new (long, double)[] { (10, 4.0), (20, 2.9) }, series.Loss);
        Assert.Equal(new (long, double)[] { (10, 0.1), (20, 0.08), (30, 0.07) }, series.LearningRate);
        Assert.Equal(["lfw", "cfp_fp"], series.Accuracy.Select(a => a.Target));
        Assert.Equal(new (long, double)[] { (20, 0.65) }, series.Accuracy[0].Points);
    }

    [Fact]
    public void A_run_resumed_after_a_kill_logs_its_steps_again_and_the_series_has_each_once()
    {
        using var folder = new TempFolder();
        using var data = TinyRun.Data();
        var run = folder["run"];
        var config = TinyRun.Config(data, new Hashtable { ["num_epoch"] = 2 });
        TinyRun.Train(new TrainingRequest(config, data, run));
        // A process killed late in epoch 2 has logged its steps but saved no checkpoint of them.
        Directory.Delete(CheckpointStore.List(run)[^1].Folder, recursive: true);
        TinyRun.Train(new TrainingRequest(config, data, run) { Resume = true });

        var logged = File.ReadLines(Path.Combine(run, "metrics.jsonl"))
            .Select(l => JsonDocument.Parse(l).RootElement)
            .Where(r => r.GetProperty("type").GetString() == "train")
            .Select(r => r.GetProperty("step").GetInt64());
        Assert.Equal([2, 4, 6, 8, 10, 12, 8, 10, 12], logged);
        Assert.Equal([2, 4, 6, 8, 10, 12], TrainingSeries.Read(Path.Combine(run, "metrics.jsonl")).Loss.Select(p => p.Step));
    }
}

using System.Text.Json;
using InsightFace.Engine.Training.Logging;
using InsightFace.Engine.Training.Plotting;

namespace InsightFace.Engine.Tests.Training;

public class MetricsFileTests
{
    [Fact]
    public void Values_that_are_not_finite_are_written_as_null_at_any_depth()
    {
        using var folder = new Data.TempFolder();
        using (var metrics = new MetricsFile(folder["metrics.jsonl"]))
        {
            metrics.Write(new { type = "train", step = 1, loss = 2.5, lr = 0.1f });
            metrics.Write(new
            {
                type = "verification", step = 2, accuracy = 0.75, tar_at_far = double.NaN, far = (double?)double.PositiveInfinity,
                folds = new { mean = float.NaN, values = new[] { 0.5, double.NegativeInfinity } },
                thresholds = new List<float> { 1.25f, float.PositiveInfinity },
            });
        }

        var lines = File.ReadAllLines(folder["metrics.jsonl"]);
        Assert.Equal("""{"type":"train","step":1,"loss":2.5,"lr":0.1}""", lines[0]);
        Assert.Equal("""{"type":"verification","step":2,"accuracy":0.75,"tar_at_far":null,"far":null,"folds":{"mean":null,"values":[0.5,null]},"thresholds":[1.25,null]}""", lines[1]);
        Assert.All(lines, line => JsonDocument.Parse(line).Dispose());
    }

    [Fact]
    public void The_training_curve_skips_the_null_values()
    {
        using var folder = new Data.TempFolder();
        File.WriteAllLines(folder["metrics.jsonl"],
        [
            """{"type":"train","step":10,"loss":4.0,"lr":0.1}""",
            """{"type":"train","step":20,"loss":null,"lr":0.1}""",
            """{"type":"train","step":30,"loss":2.0,"lr":0.05}""",
            """{"type":"verification","step":30,"target":"lfw","accuracy":0.6,"tar_at_far":null}""",
        ]);

        TrainingCurvePlot.Save(folder["metrics.jsonl"], folder["curve.png"], overwrite: false);

        Assert.True(new FileInfo(folder["curve.png"]).Length > 0);
    }
}

using InsightFace.Engine.Tests.Data;
using InsightFace.Engine.Training;
using InsightFace.Engine.Training.Plotting;
using SkiaSharp;

namespace InsightFace.Engine.Tests.Training;

public class TrainingCurvePlotTests
{
    private static string Metrics(string folder)
    {
        var lines = Enumerable.Range(1, 20).Select(i =>
                $"{{\"type\":\"train\",\"step\":{i * 10},\"epoch\":0,\"loss\":{40.0 / i},\"lr\":{0.1 * (1 - i / 20.0)},\"speed\":100}}")
            .Concat(new[] { 50, 100, 150, 200 }.Select(s => $"{{\"type\":\"verification\",\"step\":{s},\"target\":\"lfw\",\"accuracy\":{0.5 + s / 500.0}}}"));
        var path = Path.Combine(folder, "metrics.jsonl");
        File.WriteAllLines(path, lines);
        return path;
    }

    [Fact]
    public void Draws_three_panels_with_a_curve_in_each()
    {
        using var temp = new TempFolder();
        var folder = temp.Path;
        var png = Path.Combine(folder, "curve.png");
        TrainingCurvePlot.Save(Metrics(folder), png, overwrite: false);

        using var bitmap = SKBitmap.Decode(png);
        Assert.Equal(960, bitmap.Width);
        // Each panel holds pixels of its series colour (blue for the first series of every panel).
        foreach (var (top, bottom) in new[] { (38, 250), (308, 520), (578, 790) })
        {
            var coloured = 0;
            for (var y = top; y < bottom; y++)
            for (var x = 100; x < 920; x++)
            {
                var p = bitmap.GetPixel(x, y);
                if (p.Blue > 150 && p.Red < 100) coloured++;
            }
            Assert.True(coloured > 200, $"panel {top}-{bottom} has {coloured} curve pixels");
        }
    }

    [Fact]
    public void Finds_the_run_from_a_checkpoint_folder_and_refuses_to_overwrite()
    {
        using var temp = new TempFolder();
        var run = temp.Path;
        var metrics = Metrics(run);
        var checkpoint = Directory.CreateDirectory(Path.Combine(run, "checkpoints", "epoch-0001")).FullName;
        Assert.Equal(metrics, TrainingCurvePlot.FindMetrics(checkpoint));

        var png = Path.Combine(run, "curve.png");
        File.WriteAllText(png, "keep");
        Assert.Equal("PlotExists", Assert.Throws<TrainingException>(() => TrainingCurvePlot.Save(metrics, png, overwrite: false)).ErrorId);
        Assert.Equal("keep", File.ReadAllText(png));
        Assert.Equal("MetricsNotFound", Assert.Throws<TrainingException>(() => TrainingCurvePlot.FindMetrics(Path.GetTempPath())).ErrorId);
    }

    [Fact]
    public void Leaves_a_users_file_named_like_a_temporary_alone_and_nothing_behind()
    {
        using var run = new Data.TempFolder();
        var metrics = Metrics(run.Path);
        File.WriteAllText(run["curve.png.tmp"], "mine");

        TrainingCurvePlot.Save(metrics, run["curve.png"], overwrite: false);

        Assert.Equal("mine", File.ReadAllText(run["curve.png.tmp"]));
        Assert.Equal(["curve.png", "curve.png.tmp", "metrics.jsonl"], run.Files());
    }

    [Fact]
    public void Empty_metrics_write_no_plot()
    {
        using var run = new Data.TempFolder();
        File.WriteAllText(run["metrics.jsonl"], "");

        Assert.Equal("MetricsEmpty", Assert.Throws<TrainingException>(() => TrainingCurvePlot.Save(run["metrics.jsonl"], run["curve.png"], overwrite: false)).ErrorId);
        Assert.Equal(["metrics.jsonl"], run.Files());
    }

    [Fact]
    public void Creates_a_missing_folder_for_the_plot_and_leaves_none_when_it_fails()
    {
        using var run = new Data.TempFolder();
        var metrics = Metrics(run.Path);
        File.WriteAllText(run["empty.jsonl"], "");

        Assert.Throws<TrainingException>(() => TrainingCurvePlot.Save(run["empty.jsonl"], run["plots/curve.png"], overwrite: false));
        Assert.False(Directory.Exists(run["plots"]));

        TrainingCurvePlot.Save(metrics, run["plots/curve.png"], overwrite: false);
        Assert.True(File.Exists(run["plots/curve.png"]));
    }
}

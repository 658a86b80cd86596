using InsightFace.Engine.Plotting;
using InsightFace.Engine.Tests.Data;
using InsightFace.Engine.Tests.Plotting;
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
        Assert.Equal((TrainingCurvePlot.Width, TrainingCurvePlot.Height), (bitmap.Width, bitmap.Height));
        // Each panel holds pixels of its series colour (blue for the first series of every panel).
        for (var panel = 0; panel < 3; panel++)
        {
            var coloured = Pixels.Coloured(bitmap, TrainingCurvePlot.PanelFrame(panel), Axes.Palette[0]);
            Assert.True(coloured > 200, $"panel {panel} has {coloured} curve pixels");
        }
    }

    [Fact]
    public void Labels_the_title_the_ticks_the_axes_and_the_accuracy_legend_inside_its_frame()
    {
        using var temp = new TempFolder();
        var png = temp["curve.png"];
        TrainingCurvePlot.Save(Metrics(temp.Path), png, overwrite: false);

        using var bitmap = SKBitmap.Decode(png);
        Assert.True(Pixels.Ink(bitmap, new SKRect(TrainingCurvePlot.Width / 2f - 150, 0, TrainingCurvePlot.Width / 2f + 150, TrainingCurvePlot.PanelFrame(0).Top - 4)) > 300, "title");
        for (var panel = 0; panel < 3; panel++)
        {
            var frame = TrainingCurvePlot.PanelFrame(panel);
            // Step ticks 0, 20, ... 200 under every panel, value ticks left of it, and the panel's name on its side.
            for (var step = 0; step <= 200; step += 20)
            {
                var x = frame.Left + step / 200f * frame.Width;
                Assert.True(Pixels.Ink(bitmap, new SKRect(x - 12, frame.Bottom + 5, x + 12, frame.Bottom + 22)) > 8, $"panel {panel}: step label {step}");
            }
            Assert.True(Pixels.Ink(bitmap, new SKRect(frame.Left - 50, frame.Top - 8, frame.Left - 5, frame.Top + 8)) > 20, $"panel {panel}: top value label");
            Assert.True(Pixels.Ink(bitmap, new SKRect(frame.Left - 50, frame.Bottom - 8, frame.Left - 5, frame.Bottom + 8)) > 8, $"panel {panel}: bottom value label");
            Assert.True(Pixels.Ink(bitmap, new SKRect(0, frame.MidY - 40, frame.Left - Axes.YTitleOffset + 2, frame.MidY + 40)) > 40, $"panel {panel}: axis title");
        }
        var last = TrainingCurvePlot.PanelFrame(2);
        Assert.True(Pixels.Ink(bitmap, new SKRect(last.MidX - 40, last.Bottom + 24, last.MidX + 40, last.Bottom + 46)) > 50, "step axis title");
        // Inside a frame only a legend is black, and only the accuracy panel has one.
        Assert.True(Pixels.Ink(bitmap, SKRect.Inflate(last, -3, -3)) > 20, "accuracy legend");
        Assert.Equal(0, Pixels.Ink(bitmap, SKRect.Inflate(TrainingCurvePlot.PanelFrame(0), -3, -3)));
    }

    [Fact]
    public void A_few_verification_points_get_a_dot_each()
    {
        using var temp = new TempFolder();
        File.WriteAllLines(temp["metrics.jsonl"], Enumerable.Range(1, 100)
            .Select(i => $"{{\"type\":\"train\",\"step\":{i},\"loss\":{40.0 / i},\"lr\":0.1}}")
            .Concat(new[] { 25, 50, 75, 100 }.Select(s => $"{{\"type\":\"verification\",\"step\":{s},\"target\":\"lfw\",\"accuracy\":0.9}}")));
        TrainingCurvePlot.Save(temp["metrics.jsonl"], temp["curve.png"], overwrite: false);

        using var bitmap = SKBitmap.Decode(temp["curve.png"]);
        var frame = TrainingCurvePlot.PanelFrame(2);
        // The accuracy line is flat; 2 pixels above it only the dots are blue: four of them, and none along the line.
        var line = Enumerable.Range((int)frame.Top, (int)frame.Height).MaxBy(y => Pixels.Coloured(bitmap, new SKRect(frame.Left, y, frame.Right, y + 1), Axes.Palette[0]));
        var above = Enumerable.Range((int)frame.Left, (int)frame.Width).Select(x => Pixels.Coloured(bitmap, new SKRect(x, line - 2, x + 1, line - 1), Axes.Palette[0]) > 0).ToArray();
        var dots = above.Where((blue, x) => blue && (x == 0 || !above[x - 1])).Count();
        Assert.Equal(4, dots);
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

using InsightFace.Engine.Evaluation;
using InsightFace.Engine.Plotting;
using InsightFace.Engine.Tests.Plotting;
using SkiaSharp;

namespace InsightFace.Engine.Tests.Evaluation;

public sealed class RocCurvePlotTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("insightface-roc-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    /// <summary>600 pairs, same and different alternating, with distances that overlap by <paramref name="overlap"/>.</summary>
    private static VerificationResult Result(string target, double overlap, double tarAtFar = 0.8)
    {
        var random = new Random(3);
        var isSame = Enumerable.Range(0, 600).Select(i => i % 2 == 0).ToArray();
        var distances = isSame.Select(same => (same ? 0.8 : 1.6 - overlap) + random.NextDouble() * 0.8).ToArray();
        var metrics = VerificationMetrics.Evaluate(distances, isSame);
        return new VerificationResult(target, 300, metrics.Accuracy, metrics.AccuracyStd, 20, metrics.Threshold, tarAtFar, 1e-3, true,
            "/models/r50/model.onnx", metrics, TimeSpan.Zero, TimeSpan.Zero);
    }

    private SKBitmap Render(params VerificationResult[] results)
    {
        var path = Path.Combine(_dir, "roc.png");
        RocCurvePlot.Save(path, results, overwrite: true);
        return SKBitmap.Decode(path);
    }

    [Fact]
    public void The_far_axis_runs_in_decades_from_the_smallest_far_reached_but_not_below_1e_minus_6()
    {
        // 300 different pairs, 30 a fold: the smallest mean test-fold FAR above 0 is 1/30 / 10 = 3.3e-3.
        var axis = RocCurvePlot.FarAxis([Result("lfw", 0.4)]);
        Assert.True(axis.Log);
        Assert.Equal(["10⁻³", "10⁻²", "10⁻¹", "10⁰"], axis.Ticks.Select(t => t.Label));

        var tiny = Result("big", 0.4);
        tiny = tiny with { Metrics = tiny.Metrics with { Fpr = tiny.Metrics.Fpr.Select(f => f * 1e-6).ToArray() } };
        Assert.Equal(1e-6, RocCurvePlot.FarAxis([tiny]).Low, 15);
    }

    [Fact]
    public void Points_left_of_the_axis_become_one_point_on_its_edge_at_the_best_tar_they_reach()
    {
        var metrics = Result("lfw", 0.4).Metrics with
        {
            Fpr = [0, 0, 0.0001, 0.001, 0.01, 1],
            Tpr = [0, 0.5, 0.6, 0.7, 0.9, 1],
        };

        Assert.Equal([(0.001, 0.6), (0.001, 0.7), (0.01, 0.9), (1.0, 1.0)], RocCurvePlot.Curve(metrics, 0.001));
    }

    [Fact]
    public void The_legend_names_the_target_its_accuracy_and_tar_at_far_1e_minus_3()
    {
        var result = Result("lfw", 0.4) with { Accuracy = 0.95, AccuracyStd = 0.0123 };
        Assert.Equal("lfw: accuracy 95.00% ± 1.23, TAR@FAR=1e-3 80.00%", RocCurvePlot.LegendLabel(result));
        Assert.Equal("lfw: accuracy 95.00% ± 1.23, TAR@FAR=1e-3 n/a", RocCurvePlot.LegendLabel(result with { TarAtFar = double.NaN }));
    }

    [Fact]
    public void The_title_names_the_model_by_the_end_of_its_path()
    {
        var result = Result("lfw", 0.4);
        Assert.Equal("ROC of …/r50/checkpoints/epoch-0004", RocCurvePlot.Title([result with { Model = "/home/me/work_dirs/r50/checkpoints/epoch-0004" }]));
        Assert.Equal("ROC of model.onnx", RocCurvePlot.Title([result with { Model = "model.onnx" }, result with { Target = "cfp_fp", Model = "model.onnx" }]));
        Assert.Equal("ROC", RocCurvePlot.Title([result with { Model = "a.onnx" }, result with { Model = "b.onnx" }]));
    }

    [Fact]
    public void The_picture_has_a_title_tick_labels_axis_titles_and_a_legend()
    {
        var lfw = Result("lfw", 0.4);
        using var bitmap = Render(lfw);
        var frame = RocCurvePlot.Frame;

        Assert.Equal((760, 560), (bitmap.Width, bitmap.Height));
        Assert.True(Pixels.Ink(bitmap, new SKRect(frame.MidX - 150, 0, frame.MidX + 150, frame.Top - 4)) > 200, "title");
        var far = RocCurvePlot.FarAxis([lfw]);
        foreach (var (value, _) in far.Ticks)
        {
            var x = frame.Left + (float)far.Fraction(value) * frame.Width;
            Assert.True(Pixels.Ink(bitmap, new SKRect(x - 14, frame.Bottom + 5, x + 14, frame.Bottom + 22)) > 30, $"x tick label {value}");
        }
        for (var tar = 0.0; tar <= 1; tar += 0.2)
        {
            var y = frame.Bottom - (float)tar * frame.Height;
            Assert.True(Pixels.Ink(bitmap, new SKRect(frame.Left - 40, y - 8, frame.Left - 5, y + 8)) > 8, $"y tick label {tar}");
        }
        Assert.True(Pixels.Ink(bitmap, new SKRect(frame.MidX - 100, frame.Bottom + 26, frame.MidX + 100, frame.Bottom + 48)) > 200, "x axis title");
        Assert.True(Pixels.Ink(bitmap, new SKRect(0, frame.MidY - 100, frame.Left - Axes.YTitleOffset + 2, frame.MidY + 100)) > 200, "y axis title");
        // Inside the frame only the legend is black: the curve is in colour.
        Assert.True(Pixels.Ink(bitmap, SKRect.Inflate(frame, -3, -3)) > 400, "legend");
    }

    [Fact]
    public void Several_targets_are_curves_of_their_own_colours_in_one_picture()
    {
        using var bitmap = Render(Result("lfw", 0.4), Result("cfp_fp", 0.7));
        var inside = SKRect.Inflate(RocCurvePlot.Frame, -3, -3);

        Assert.True(Pixels.Coloured(bitmap, inside, Axes.Palette[0]) > 300);
        Assert.True(Pixels.Coloured(bitmap, inside, Axes.Palette[1]) > 300);
        Assert.Single(Directory.GetFiles(_dir));
    }

    [Fact]
    public void An_existing_file_is_kept_unless_overwrite_is_set()
    {
        var path = Path.Combine(_dir, "roc.png");
        File.WriteAllText(path, "keep");
        var e = Assert.Throws<EvaluationException>(() => RocCurvePlot.Save(path, [Result("lfw", 0.4)]));
        Assert.Equal(ErrorIds.VerificationOutputExists, e.ErrorId);
        Assert.Contains(path, e.Message);
        Assert.Equal("keep", File.ReadAllText(path));
        RocCurvePlot.Save(path, [Result("lfw", 0.4)], overwrite: true);
        Assert.NotEqual("keep", File.ReadAllText(path));
        Assert.Single(Directory.GetFiles(_dir));
    }
}

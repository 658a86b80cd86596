using InsightFace.Engine.Files;
using InsightFace.Engine.Plotting;
using SkiaSharp;

namespace InsightFace.Engine.Training.Plotting;

/// <summary>
/// Draws a run's metrics.jsonl as a PNG: loss, learning rate and verification accuracy against the global step, in
/// three panels sharing the step axis, for people who would rather look than read.
/// </summary>
public static class TrainingCurvePlot
{
    internal const int Width = 960;
    internal const int Height = 712;
    private const int PanelTop = 50, PanelHeight = 170, PanelGap = 48;

    /// <summary>A series with this many points or fewer gets a dot at each, so that a few verifications stand out.</summary>
    internal const int MarkerLimit = 30;

    /// <summary>The metrics file of a run folder, or of the run folder above a checkpoint folder.</summary>
    public static string FindMetrics(string path)
    {
        for (var folder = new DirectoryInfo(Path.GetFullPath(path)); folder is not null; folder = folder.Parent)
        {
            var candidate = Path.Combine(folder.FullName, "metrics.jsonl");
            if (File.Exists(candidate)) return candidate;
        }
        throw new TrainingException(ErrorIds.MetricsNotFound, $"No metrics.jsonl in {path} or the folders above it: is it a training run folder?");
    }

    /// <summary>Writes the plot of <paramref name="metricsPath"/> to <paramref name="pngPath"/>, whole or not at all.</summary>
    public static void Save(string metricsPath, string pngPath, bool overwrite) => AtomicFile.Write(pngPath, overwrite, stream =>
    {
        var series = TrainingSeries.Read(metricsPath);
        if (series.Loss.Count == 0 && series.LearningRate.Count == 0)
            throw new TrainingException(ErrorIds.MetricsEmpty, $"{metricsPath} has no logged steps yet.");

        using var bitmap = new SKBitmap(Width, Height);
        using var canvas = new SKCanvas(bitmap);
        Draw(canvas, series, Path.GetFileName(Path.GetDirectoryName(Path.GetFullPath(metricsPath)))!);
        using var image = SKImage.FromBitmap(bitmap);
        using var data = image.Encode(SKEncodedImageFormat.Png, 100);
        data.SaveTo(stream);
    }, () => new TrainingException(ErrorIds.PlotExists, $"{pngPath} already exists. Use -Force to replace it."));

    /// <summary>The frame of panel <paramref name="index"/>: 0 loss, 1 learning rate, 2 accuracy.</summary>
    internal static SKRect PanelFrame(int index)
    {
        var top = PanelTop + index * (PanelHeight + PanelGap);
        return new SKRect(96, top, Width - 24, top + PanelHeight);
    }

    private static void Draw(SKCanvas canvas, TrainingSeries series, string run)
    {
        canvas.Clear(SKColors.White);
        Axes.Text(canvas, $"Training curve: {run}", Width / 2f, 30, 18, SKTextAlign.Center);

        var steps = series.Loss.Concat(series.LearningRate).Concat(series.Accuracy.SelectMany(a => a.Points)).Select(p => p.Step).ToList();
        var stepAxis = (string title) => Axis.Linear(Math.Min(0, steps.Min()), Math.Max(1, steps.Max()), title, intervals: 8);

        Panel(canvas, 0, stepAxis(""), "loss", [("loss", series.Loss)], legend: false);
        Panel(canvas, 1, stepAxis(""), "learning rate", [("lr", series.LearningRate)], legend: false);
        if (series.Accuracy.Count > 0)
            Panel(canvas, 2, stepAxis("step"), "accuracy", series.Accuracy, legend: true);
        else
        {
            var axes = new Axes(canvas, PanelFrame(2), stepAxis("step"), Axis.Linear(0, 1, "accuracy"));
            axes.DrawAxes();
            Axes.Text(canvas, "no verification logged yet", axes.Frame.MidX, axes.Frame.MidY, Axes.LabelSize, SKTextAlign.Center);
        }
    }

    private static void Panel(SKCanvas canvas, int index, Axis stepAxis, string title,
        IReadOnlyList<(string Name, IReadOnlyList<(long Step, double Value)> Points)> series, bool legend)
    {
        var values = series.SelectMany(s => s.Points).Select(p => p.Value).DefaultIfEmpty(0).ToList();
        var axes = new Axes(canvas, PanelFrame(index), stepAxis, Axis.Linear(values.Min(), values.Max(), title));
        axes.DrawAxes();
        var entries = new List<(string, SKColor, bool)>();
        for (var i = 0; i < series.Count; i++)
        {
            var (name, points) = series[i];
            var colour = Axes.Palette[i % Axes.Palette.Length];
            var markers = points.Count <= MarkerLimit;
            axes.Line(points.Select(p => ((double)p.Step, p.Value)), colour, markers);
            entries.Add((name, colour, markers));
        }
        if (legend) axes.Legend(entries);
    }
}

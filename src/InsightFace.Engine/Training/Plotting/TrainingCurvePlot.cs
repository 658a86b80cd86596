using System.Globalization;
using System.Text.Json;
using InsightFace.Engine.Files;
using SkiaSharp;

namespace InsightFace.Engine.Training.Plotting;

/// <summary>
/// Draws a run's metrics.jsonl as a PNG: loss, learning rate and verification accuracy against the global step, in
/// three panels sharing the step axis, for people who would rather look than read.
/// </summary>
public static class TrainingCurvePlot
{
    private const int Width = 960;
    private const int PanelHeight = 230;
    private const int Left = 110;
    private const int Right = 30;
    private const int Top = 20;
    private const int Gap = 40;
    private const float TextScale = 2;

    private static readonly SKColor[] Colors =
    {
        new(0x1f, 0x77, 0xb4), new(0xd6, 0x27, 0x28), new(0x2c, 0xa0, 0x2c), new(0xff, 0x7f, 0x0e), new(0x94, 0x67, 0xbd),
    };

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
        var (loss, lr, accuracy) = Read(metricsPath);
        if (loss.Count == 0)
            throw new TrainingException(ErrorIds.MetricsEmpty, $"{metricsPath} has no logged steps yet.");
        var maxStep = Math.Max(loss.Max(p => p.Step), accuracy.Values.SelectMany(v => v).Select(p => p.Step).DefaultIfEmpty(0).Max());

        using var bitmap = new SKBitmap(Width, Top + 3 * (PanelHeight + Gap) + 20);
        using var canvas = new SKCanvas(bitmap);
        canvas.Clear(SKColors.White);
        Panel(canvas, 0, "loss", new() { ["loss"] = loss }, maxStep, fixedRange: null);
        Panel(canvas, 1, "learning rate", new() { ["lr"] = lr }, maxStep, fixedRange: null);
        Panel(canvas, 2, "accuracy", accuracy, maxStep, fixedRange: accuracy.Count == 0 ? (0, 1) : null);
        using var image = SKImage.FromBitmap(bitmap);
        using var data = image.Encode(SKEncodedImageFormat.Png, 100);
        data.SaveTo(stream);
    }, () => new TrainingException(ErrorIds.PlotExists, $"{pngPath} already exists. Use -Force to replace it."));

    private static (List<(long Step, double Value)> Loss, List<(long Step, double Value)> Lr, Dictionary<string, List<(long Step, double Value)>> Accuracy)
        Read(string metricsPath)
    {
        var loss = new List<(long, double)>();
        var lr = new List<(long, double)>();
        var accuracy = new Dictionary<string, List<(long, double)>>();
        foreach (var line in File.ReadLines(metricsPath).Where(l => l.Length > 0))
        {
            using var json = JsonDocument.Parse(line);
            var root = json.RootElement;
            var step = root.GetProperty("step").GetInt64();
            if (root.GetProperty("type").GetString() == "train")
            {
                AddPoint(loss, step, root.GetProperty("loss"));
                AddPoint(lr, step, root.GetProperty("lr"));
            }
            else
            {
                var target = root.GetProperty("target").GetString() ?? "";
                if (!accuracy.TryGetValue(target, out var series)) accuracy[target] = series = new();
                AddPoint(series, step, root.GetProperty("accuracy"));
            }
        }
        return (loss, lr, accuracy);
    }

    // A value that was not finite is written as null: it has no point to draw.
    private static void AddPoint(List<(long Step, double Value)> series, long step, JsonElement value)
    {
        if (value.ValueKind != JsonValueKind.Null) series.Add((step, value.GetDouble()));
    }

    private static void Panel(SKCanvas canvas, int index, string title, Dictionary<string, List<(long Step, double Value)>> series,
        long maxStep, (double Low, double High)? fixedRange)
    {
        var top = Top + index * (PanelHeight + Gap);
        var plot = new SKRect(Left, top + 18, Width - Right, top + PanelHeight);
        using var ink = new SKPaint { Color = SKColors.Black, IsAntialias = false };
        using var grid = new SKPaint { Color = new SKColor(0xdd, 0xdd, 0xdd), StrokeWidth = 1 };
        using var frame = new SKPaint { Color = SKColors.Black, Style = SKPaintStyle.Stroke, StrokeWidth = 1 };
        PixelFont.Draw(canvas, title, Left, top, TextScale, ink);

        var values = series.Values.SelectMany(s => s).Select(p => p.Value).Where(double.IsFinite).ToList();
        var (low, high) = fixedRange ?? (values.Count == 0 ? (0, 1) : (values.Min(), values.Max()));
        if (high - low < 1e-12) (low, high) = (low - 0.5, high + 0.5);
        float X(long step) => plot.Left + (float)(plot.Width * step / Math.Max(1, maxStep));
        float Y(double value) => plot.Bottom - (float)(plot.Height * (value - low) / (high - low));

        for (var t = 0; t <= 4; t++)
        {
            var value = low + (high - low) * t / 4;
            canvas.DrawLine(plot.Left, Y(value), plot.Right, Y(value), grid);
            var label = value.ToString("G3", CultureInfo.InvariantCulture);
            PixelFont.Draw(canvas, label, plot.Left - 8 - PixelFont.Measure(label, TextScale), Y(value) - PixelFont.Height, TextScale, ink);
            var step = (long)Math.Round((double)maxStep * t / 4);
            var stepLabel = step.ToString(CultureInfo.InvariantCulture);
            PixelFont.Draw(canvas, stepLabel, X(step) - PixelFont.Measure(stepLabel, TextScale) / 2, plot.Bottom + 6, TextScale, ink);
        }
        canvas.DrawRect(plot, frame);

        var colour = 0;
        foreach (var (name, points) in series)
        {
            using var pen = new SKPaint { Color = Colors[colour % Colors.Length], StrokeWidth = 2, IsAntialias = true, Style = SKPaintStyle.Stroke };
            var finite = points.Where(p => double.IsFinite(p.Value)).ToList();
            for (var i = 1; i < finite.Count; i++)
                canvas.DrawLine(X(finite[i - 1].Step), Y(finite[i - 1].Value), X(finite[i].Step), Y(finite[i].Value), pen);
            if (finite.Count == 1) canvas.DrawCircle(X(finite[0].Step), Y(finite[0].Value), 3, pen);

            var legendX = plot.Right - 200;
            var legendY = plot.Top + 8 + colour * 20;
            canvas.DrawLine(legendX, legendY + PixelFont.Height, legendX + 24, legendY + PixelFont.Height, pen);
            PixelFont.Draw(canvas, name, legendX + 32, legendY, TextScale, ink);
            colour++;
        }
    }
}

using InsightFace.Engine.Files;
using SkiaSharp;

namespace InsightFace.Engine.Evaluation;

/// <summary>
/// Draws a result's ROC curve (mean test-fold TPR against FPR over the thresholds, both axes 0–1 with grid lines
/// every 0.2) as a PNG. It carries no text: the dependency-free Skia natives ship no fonts.
/// </summary>
public static class RocCurvePlot
{
    private const int Width = 640, Height = 480, Margin = 48;

    /// <summary>
    /// Writes the PNG whole or not at all (see <see cref="AtomicFile"/>); an existing file is replaced only when
    /// <paramref name="overwrite"/> is true.
    /// </summary>
    public static void Save(string path, VerificationResult result, bool overwrite = false)
    {
        var full = Path.GetFullPath(path);
        AtomicFile.Write(full, overwrite, stream =>
        {
            using var surface = SKSurface.Create(new SKImageInfo(Width, Height, SKColorType.Rgba8888, SKAlphaType.Premul));
            Draw(surface.Canvas, result);
            using var image = surface.Snapshot();
            using var png = image.Encode(SKEncodedImageFormat.Png, 100);
            png.SaveTo(stream);
        }, () => new EvaluationException(ErrorIds.VerificationOutputExists, $"{full}: the file exists; pass overwrite (-Force) to replace it."));
    }

    /// <summary>The pixel of the point (fpr, tpr) inside the plot's axes.</summary>
    internal static SKPoint ToPixel(double fpr, double tpr) =>
        new((float)(Margin + fpr * (Width - 2 * Margin)), (float)(Height - Margin - tpr * (Height - 2 * Margin)));

    private static void Draw(SKCanvas canvas, VerificationResult result)
    {
        canvas.Clear(SKColors.White);
        using var grid = new SKPaint { Color = new SKColor(220, 220, 220), StrokeWidth = 1, IsAntialias = true };
        for (var i = 0; i <= 5; i++)
        {
            canvas.DrawLine(ToPixel(i / 5.0, 0), ToPixel(i / 5.0, 1), grid);
            canvas.DrawLine(ToPixel(0, i / 5.0), ToPixel(1, i / 5.0), grid);
        }
        using var axes = new SKPaint { Color = SKColors.Black, StrokeWidth = 1.5f, Style = SKPaintStyle.Stroke };
        canvas.DrawRect(SKRect.Create(ToPixel(0, 1), new SKSize(Width - 2 * Margin, Height - 2 * Margin)), axes);

        // The thresholds rise from 0, so the points run from (0, 0) towards (1, 1).
        var m = result.Metrics;
        var points = m.Fpr.Select((fpr, i) => ToPixel(fpr, m.Tpr[i])).Prepend(ToPixel(0, 0)).ToArray();
        using var line = new SKPaint { Color = new SKColor(31, 119, 180), StrokeWidth = 2.5f, Style = SKPaintStyle.Stroke, IsAntialias = true };
        canvas.DrawPoints(SKPointMode.Polygon, points, line);
    }
}

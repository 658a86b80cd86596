using System.Globalization;
using InsightFace.Engine.Files;
using InsightFace.Engine.Plotting;
using SkiaSharp;

namespace InsightFace.Engine.Evaluation;

/// <summary>
/// Draws the ROC curves of one or more verification results in one PNG, as face-recognition papers do: the mean
/// test-fold true accept rate (TAR) against the false accept rate (FAR) on a log axis from 10⁻⁶, or the decade of
/// the smallest FAR the sets can reach, to 1. The legend gives each target's accuracy and TAR@FAR=1e-3.
/// </summary>
public static class RocCurvePlot
{
    private const int Width = 760, Height = 560;

    /// <summary>The lowest decade drawn, whatever the sets reach.</summary>
    private const int LowestDecade = -6;

    /// <summary>Where the axes are in the picture.</summary>
    internal static readonly SKRect Frame = new(84, 48, Width - 24, Height - 64);

    /// <summary>
    /// Writes the PNG whole or not at all (see <see cref="AtomicFile"/>); an existing file is replaced only when
    /// <paramref name="overwrite"/> is true.
    /// </summary>
    public static void Save(string path, IReadOnlyList<VerificationResult> results, bool overwrite = false)
    {
        if (results.Count == 0) throw new ArgumentException("A ROC plot needs at least one result.", nameof(results));
        var full = Path.GetFullPath(path);
        AtomicFile.Write(full, overwrite, stream =>
        {
            using var surface = SKSurface.Create(new SKImageInfo(Width, Height, SKColorType.Rgba8888, SKAlphaType.Premul));
            Draw(surface.Canvas, results);
            using var image = surface.Snapshot();
            using var png = image.Encode(SKEncodedImageFormat.Png, 100);
            png.SaveTo(stream);
        }, () => new EvaluationException(ErrorIds.VerificationOutputExists, $"{full}: the file exists; pass overwrite (-Force) to replace it."));
    }

    /// <summary>The FAR axis: decades from the one holding the smallest positive FAR of any curve (10⁻⁶ at least) to 1.</summary>
    internal static Axis FarAxis(IReadOnlyList<VerificationResult> results)
    {
        var smallest = results.SelectMany(r => r.Metrics.Fpr).Where(f => f > 0).DefaultIfEmpty(Math.Pow(10, LowestDecade)).Min();
        var decade = Math.Clamp((int)Math.Floor(Math.Log10(smallest) + 1e-9), LowestDecade, -1);
        return Axis.LogDecades(decade, "false accept rate (FAR)");
    }

    /// <summary>
    /// The curve's points from left to right. The points left of the axis (FAR 0 included, which a log axis has no
    /// place for) become one point on its left edge, at the best TAR they reach.
    /// </summary>
    internal static List<(double Far, double Tar)> Curve(ProtocolMetrics metrics, double lowestFar)
    {
        var points = metrics.Fpr.Select((far, i) => (Far: far, Tar: metrics.Tpr[i])).OrderBy(p => p.Far).ThenBy(p => p.Tar).ToList();
        var left = points.Where(p => p.Far < lowestFar).ToList();
        var curve = points.Where(p => p.Far >= lowestFar).ToList();
        if (left.Count > 0) curve.Insert(0, (lowestFar, left.Max(p => p.Tar)));
        return curve;
    }

    /// <summary>A result's legend entry: its target, accuracy ± its standard deviation, and TAR@FAR=1e-3.</summary>
    internal static string LegendLabel(VerificationResult result) => string.Create(CultureInfo.InvariantCulture,
        $"{result.Target}: accuracy {100 * result.Accuracy:F2}% ± {100 * result.AccuracyStd:F2}, TAR@FAR=1e-3 {(double.IsNaN(result.TarAtFar) ? "n/a" : $"{100 * result.TarAtFar:F2}%")}");

    private static void Draw(SKCanvas canvas, IReadOnlyList<VerificationResult> results)
    {
        canvas.Clear(SKColors.White);
        var far = FarAxis(results);
        var axes = new Axes(canvas, Frame, far, Axis.Linear(0, 1, "true accept rate (TAR)"));
        Axes.Text(canvas, Title(results), Width / 2f, 30, 17, SKTextAlign.Center);
        axes.DrawAxes();

        var entries = new List<(string, SKColor, bool)>();
        for (var i = 0; i < results.Count; i++)
        {
            var colour = Axes.Palette[i % Axes.Palette.Length];
            axes.Line(Curve(results[i].Metrics, far.Low), colour, markers: false);
            entries.Add((LegendLabel(results[i]), colour, false));
        }
        axes.Legend(entries);
    }

    /// <summary>
    /// "ROC of" the model, when the results share one; of a long path only the last three parts, which name the run
    /// and the checkpoint (…/r50/checkpoints/epoch-0020).
    /// </summary>
    internal static string Title(IReadOnlyList<VerificationResult> results)
    {
        var models = results.Select(r => r.Model).Distinct().ToList();
        if (models.Count > 1) return "ROC";
        var parts = models[0].Split('/', StringSplitOptions.RemoveEmptyEntries);
        return "ROC of " + (parts.Length > 3 ? "…/" + string.Join('/', parts[^3..]) : models[0]);
    }
}

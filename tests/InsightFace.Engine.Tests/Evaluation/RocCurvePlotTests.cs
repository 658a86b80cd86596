using InsightFace.Engine.Evaluation;
using SkiaSharp;

namespace InsightFace.Engine.Tests.Evaluation;

public sealed class RocCurvePlotTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("insightface-roc-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static VerificationResult Result()
    {
        // Separated pairs: the mean ROC passes through (0, 1), the top-left corner.
        var metrics = VerificationMetrics.Evaluate(Enumerable.Range(0, 20).Select(i => i % 2 == 0 ? 0.5 : 1.5).ToArray(),
            Enumerable.Range(0, 20).Select(i => i % 2 == 0).ToArray());
        return new VerificationResult("lfw", 10, 1, 0, 20, 0.51, 1, 1, true, "model.onnx", metrics, TimeSpan.Zero, TimeSpan.Zero);
    }

    [Fact]
    public void The_png_shows_the_curve_through_the_top_left_corner()
    {
        var path = Path.Combine(_dir, "roc.png");

        RocCurvePlot.Save(path, Result());

        using var bitmap = SKBitmap.Decode(path);
        Assert.Equal((640, 480), (bitmap.Width, bitmap.Height));
        var corner = RocCurvePlot.ToPixel(0.02, 1);
        var centre = RocCurvePlot.ToPixel(0.5, 0.5);
        Assert.True(bitmap.GetPixel((int)corner.X, (int)corner.Y).Blue > bitmap.GetPixel((int)corner.X, (int)corner.Y).Red);
        Assert.Equal(SKColors.White, bitmap.GetPixel((int)centre.X + 3, (int)centre.Y + 3));
        Assert.Single(Directory.GetFiles(_dir));
    }

    [Fact]
    public void An_existing_file_is_kept_unless_overwrite_is_set()
    {
        var path = Path.Combine(_dir, "roc.png");
        File.WriteAllText(path, "keep");
        var e = Assert.Throws<EvaluationException>(() => RocCurvePlot.Save(path, Result()));
        Assert.Equal(ErrorIds.VerificationOutputExists, e.ErrorId);
        Assert.Contains(path, e.Message);
        Assert.Equal("keep", File.ReadAllText(path));
        RocCurvePlot.Save(path, Result(), overwrite: true);
        Assert.NotEqual("keep", File.ReadAllText(path));
        Assert.Single(Directory.GetFiles(_dir));
    }
}

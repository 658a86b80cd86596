using InsightFace.Engine.Data.Imaging;
using SkiaSharp;

namespace InsightFace.Engine.Tests.Data.Imaging;

public class FaceAlignerTests
{
    private static readonly (double X, double Y)[] Template = [.. FaceAligner.ArcFaceTemplate];

    /// <summary>Where the template points were in a photo that a similarity (s, θ, t) maps onto the template.</summary>
    private static (double X, double Y)[] PhotoLandmarks(double scale, double degrees, double tx, double ty)
    {
        var (sin, cos) = Math.SinCos(degrees * Math.PI / 180);
        double a = scale * cos, b = scale * sin;
        // Invert y = [a -b; b a] x + t  =>  x = [a b; -b a] (y - t) / (a² + b²)
        return Template.Select(p => (
            (a * (p.X - tx) + b * (p.Y - ty)) / (a * a + b * b),
            (-b * (p.X - tx) + a * (p.Y - ty)) / (a * a + b * b))).ToArray();
    }

    private static double SquaredError(double[] p, (double X, double Y)[] source) =>
        source.Zip(Template, (s, t) =>
            Math.Pow(p[0] * s.X - p[1] * s.Y + p[2] - t.X, 2) + Math.Pow(p[1] * s.X + p[0] * s.Y + p[3] - t.Y, 2)).Sum();

    [Fact]
    public void An_exact_similarity_is_recovered()
    {
        var source = PhotoLandmarks(scale: 0.4, degrees: 17, tx: -12, ty: 30);

        var m = FaceAligner.EstimateSimilarity(source, Template);

        var (sin, cos) = Math.SinCos(17 * Math.PI / 180);
        Assert.Equal(0.4 * cos, m[0, 0], 9);
        Assert.Equal(-0.4 * sin, m[0, 1], 9);
        Assert.Equal(0.4 * sin, m[1, 0], 9);
        Assert.Equal(0.4 * cos, m[1, 1], 9);
        Assert.Equal(-12, m[0, 2], 9);
        Assert.Equal(30, m[1, 2], 9);
    }

    [Fact]
    public void With_noisy_landmarks_the_estimate_is_the_least_squares_minimum()
    {
        var random = new Random(4);
        var source = PhotoLandmarks(0.5, -8, 3, 5).Select(p => (p.X + random.NextDouble() * 4 - 2, p.Y + random.NextDouble() * 4 - 2)).ToArray();
        var m = FaceAligner.EstimateSimilarity(source, Template);
        var best = new[] { m[0, 0], m[1, 0], m[0, 2], m[1, 2] };

        // Central differences: the gradient of the squared error vanishes at the estimate, and every nudge costs.
        for (var k = 0; k < 4; k++)
        {
            var up = (double[])best.Clone();
            var down = (double[])best.Clone();
            var h = k < 2 ? 1e-6 : 1e-4;
            up[k] += h;
            down[k] -= h;
            var gradient = (SquaredError(up, source) - SquaredError(down, source)) / (2 * h);
            Assert.True(Math.Abs(gradient) < 1e-4, $"d error / d p{k} = {gradient}");
            Assert.True(SquaredError(up, source) > SquaredError(best, source));
            Assert.True(SquaredError(down, source) > SquaredError(best, source));
        }
    }

    [Fact]
    public void Aligning_puts_the_landmarks_on_the_arcface_template()
    {
        var landmarks = PhotoLandmarks(scale: 0.5, degrees: 12, tx: -20, ty: -10);
        using var photo = new SKBitmap(new SKImageInfo(300, 300, SKColorType.Rgba8888, SKAlphaType.Opaque));
        using (var canvas = new SKCanvas(photo))
        using (var paint = new SKPaint { Color = SKColors.White, IsAntialias = true })
        {
            canvas.Clear(new SKColor(40, 40, 40));
            // A disc of radius 5 around each landmark (pixel i at coordinate i: Skia centres are at i + 0.5).
            foreach (var (x, y) in landmarks) canvas.DrawCircle((float)x + 0.5f, (float)y + 0.5f, 5, paint);
        }

        using var crop = FaceAligner.Align(photo, landmarks);

        Assert.Equal((112, 112), (crop.Width, crop.Height));
        foreach (var (x, y) in Template)
        {
            // Brightness-weighted centroid of the window around where the landmark should be.
            double sum = 0, cx = 0, cy = 0;
            for (var j = (int)y - 6; j <= (int)y + 6; j++)
            for (var i = (int)x - 6; i <= (int)x + 6; i++)
            {
                var w = Math.Max(0, crop.GetPixel(i, j).Red - 40);
                sum += w;
                cx += w * i;
                cy += w * j;
            }
            Assert.True(sum > 0);
            Assert.Equal(x, cx / sum, 0.5);
            Assert.Equal(y, cy / sum, 0.5);
        }
    }

    [Fact]
    public void Encoded_photos_come_back_as_112x112_jpegs_and_garbage_is_refused()
    {
        var photo = Tests.Data.TestImages.Jpeg(1, size: 200); // the Data helpers, not Imaging's fixture loader
        var crop = FaceAligner.AlignEncoded(photo, PhotoLandmarks(0.8, 0, 10, 10));

        using var decoded = SKBitmap.Decode(crop);
        Assert.Equal((112, 112), (decoded.Width, decoded.Height));
        Assert.Throws<ArgumentException>(() => FaceAligner.AlignEncoded([1, 2, 3], PhotoLandmarks(1, 0, 0, 0)));
        Assert.Throws<ArgumentException>(() => FaceAligner.AlignEncoded(photo, PhotoLandmarks(1, 0, 0, 0)[..4]));
    }
}

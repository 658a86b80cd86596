using SkiaSharp;

namespace InsightFace.Engine.Tests.Data.Imaging;

/// <summary>Lossless test images with a known colour at every pixel.</summary>
internal static class TestImages
{
    public static (byte R, byte G, byte B) Colour(int x, int y) => ((byte)(2 * x), (byte)(255 - 2 * y), (byte)((x * 7 + y * 3) % 256));

    /// <summary>A PNG whose pixel (x, y) is <see cref="Colour"/>(x, y).</summary>
    public static byte[] Png(int width = 112, int height = 112, Func<int, int, (byte R, byte G, byte B)>? colour = null)
    {
        colour ??= Colour;
        using var bitmap = new SKBitmap(new SKImageInfo(width, height, SKColorType.Rgba8888, SKAlphaType.Opaque));
        for (var y = 0; y < height; y++)
            for (var x = 0; x < width; x++)
            {
                var (r, g, b) = colour(x, y);
                bitmap.SetPixel(x, y, new SKColor(r, g, b));
            }
        using var data = bitmap.Encode(SKEncodedImageFormat.Png, 100);
        return data.ToArray();
    }

    /// <summary>The mean of each channel of <see cref="Colour"/>, (v − mean) / std, in float64, in RGB or BGR order.</summary>
    public static double[] ChannelMeans(double mean, double std, bool bgr)
    {
        var sums = new double[3];
        for (var y = 0; y < 112; y++)
            for (var x = 0; x < 112; x++)
            {
                var (r, g, b) = Colour(x, y);
                sums[0] += (r - mean) / std;
                sums[1] += (g - mean) / std;
                sums[2] += (b - mean) / std;
            }
        var means = sums.Select(s => s / (112 * 112)).ToArray();
        return bgr ? [means[2], means[1], means[0]] : means;
    }
}

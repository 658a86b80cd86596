using SkiaSharp;

namespace InsightFace.Engine.Tests.Plotting;

/// <summary>Counts what a picture holds in a region: the plots draw text in black and series in their colours.</summary>
internal static class Pixels
{
    /// <summary>Text pixels: dark and grey (series colours are neither).</summary>
    public static int Ink(SKBitmap bitmap, SKRect region) => Count(bitmap, region, p =>
        Math.Max(p.Red, Math.Max(p.Green, p.Blue)) < 110 && Math.Max(p.Red, Math.Max(p.Green, p.Blue)) - Math.Min(p.Red, Math.Min(p.Green, p.Blue)) < 30);

    /// <summary>Pixels within 40 of <paramref name="colour"/> on every channel.</summary>
    public static int Coloured(SKBitmap bitmap, SKRect region, SKColor colour) => Count(bitmap, region, p =>
        Math.Abs(p.Red - colour.Red) < 40 && Math.Abs(p.Green - colour.Green) < 40 && Math.Abs(p.Blue - colour.Blue) < 40);

    private static int Count(SKBitmap bitmap, SKRect region, Func<SKColor, bool> counts)
    {
        var n = 0;
        for (var y = (int)Math.Max(0, region.Top); y < (int)Math.Min(bitmap.Height, region.Bottom); y++)
        for (var x = (int)Math.Max(0, region.Left); x < (int)Math.Min(bitmap.Width, region.Right); x++)
            if (counts(bitmap.GetPixel(x, y))) n++;
        return n;
    }
}

using SkiaSharp;

namespace InsightFace.Engine.Data.Imaging;

/// <summary>Encodes pixels as baseline JPEG with SkiaSharp.</summary>
public static class JpegEncoder
{
    /// <summary>The quality InsightFace's tools use when they re-encode (<c>face2rec2.py</c>, <c>rec_builder.py</c>).</summary>
    public const int DefaultQuality = 95;

    /// <summary>Encodes <paramref name="bitmap"/>.</summary>
    public static byte[] Encode(SKBitmap bitmap, int quality = DefaultQuality)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(quality, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(quality, 100);
        using var data = bitmap.Encode(SKEncodedImageFormat.Jpeg, quality)
                         ?? throw new InvalidOperationException($"SkiaSharp could not encode a {bitmap.Width}x{bitmap.Height} {bitmap.ColorType} bitmap as JPEG.");
        return data.ToArray();
    }

    /// <summary>Encodes interleaved 8-bit RGB pixels, row by row (<paramref name="rgb"/>.Length = height × width × 3).</summary>
    public static byte[] EncodeRgb(ReadOnlySpan<byte> rgb, int width, int height, int quality = DefaultQuality)
    {
        if (rgb.Length != width * height * 3)
            throw new ArgumentException($"Expected {width}x{height}x3 = {width * height * 3} RGB bytes, found {rgb.Length}.", nameof(rgb));
        using var bitmap = new SKBitmap(new SKImageInfo(width, height, SKColorType.Rgba8888, SKAlphaType.Opaque));
        var rgba = bitmap.GetPixelSpan();
        for (int i = 0, j = 0; i < rgb.Length; i += 3, j += 4)
        {
            rgba[j] = rgb[i];
            rgba[j + 1] = rgb[i + 1];
            rgba[j + 2] = rgb[i + 2];
            rgba[j + 3] = 255;
        }
        return Encode(bitmap, quality);
    }
}

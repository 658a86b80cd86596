using SkiaSharp;

namespace InsightFace.Engine.Tests.Data;

/// <summary>Small real images for tests, encoded straight with SkiaSharp (not through the code under test).</summary>
public static class TestImages
{
    /// <summary>A small JPEG whose pixels depend on <paramref name="seed"/>, so each call's bytes differ.</summary>
    public static byte[] Jpeg(int seed, int size = 16) => Encode(seed, size, SKEncodedImageFormat.Jpeg);

    /// <summary>A small PNG whose pixels depend on <paramref name="seed"/>.</summary>
    public static byte[] Png(int seed, int size = 16) => Encode(seed, size, SKEncodedImageFormat.Png);

    /// <summary>
    /// Writes an image folder: <paramref name="imagesPerIdentity"/>[i] JPEGs in sub-folder <c>id{i}</c>
    /// (names chosen so ordinal order is the index order).
    /// </summary>
    public static void WriteFolder(string root, params int[] imagesPerIdentity)
    {
        for (var id = 0; id < imagesPerIdentity.Length; id++)
        {
            var folder = Directory.CreateDirectory(Path.Combine(root, $"id{id:D3}")).FullName;
            for (var i = 0; i < imagesPerIdentity[id]; i++)
                File.WriteAllBytes(Path.Combine(folder, $"{i:D3}.jpg"), Jpeg(id * 100 + i));
        }
    }

    private static byte[] Encode(int seed, int size, SKEncodedImageFormat format)
    {
        using var bitmap = new SKBitmap(size, size, SKColorType.Rgba8888, SKAlphaType.Opaque);
        var random = new Random(seed);
        for (var y = 0; y < size; y++)
        for (var x = 0; x < size; x++)
            bitmap.SetPixel(x, y, new SKColor((byte)random.Next(256), (byte)random.Next(256), (byte)random.Next(256)));
        using var data = bitmap.Encode(format, 90);
        return data.ToArray();
    }
}

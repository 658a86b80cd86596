using InsightFace.Engine.Data;
using SkiaSharp;

namespace InsightFace.Engine.Tests.Data.Loading;

/// <summary>
/// An in-memory dataset of lossless 112x112 PNGs whose pixel (x, y) of sample i is <see cref="Colour"/>(i, x, y),
/// so a test can compute every decoded value on its own; label i % classes.
/// </summary>
internal sealed class PatternDataset : IFaceDataset
{
    private readonly byte[][] _images;

    public PatternDataset(int count, int classes)
    {
        NumClasses = classes;
        _images = Enumerable.Range(0, count).Select(Encode).ToArray();
        Info = new DatasetInfo(DatasetFormat.Synthetic, "pattern", new ImageSize(112, 112), 0, [], null);
    }

    public DatasetInfo Info { get; }

    public int Count => _images.Length;

    public int NumClasses { get; }

    /// <summary>Indices whose bytes are replaced by garbage.</summary>
    public HashSet<int> Corrupt { get; } = [];

    public static (byte R, byte G, byte B) Colour(int sample, int x, int y) =>
        ((byte)(2 * x + sample), (byte)(255 - 2 * y), (byte)((x * 7 + y * 3 + 5 * sample) % 256));

    public int LabelOf(int index) => index % NumClasses;

    public FaceSample Read(int index) =>
        new(Corrupt.Contains(index) ? [1, 2, 3, 4, 5] : _images[index], LabelOf(index), $"pattern#{index}");

    public byte[] Bytes(int index) => _images[index];

    public void Dispose()
    {
    }

    private static byte[] Encode(int sample)
    {
        using var bitmap = new SKBitmap(new SKImageInfo(112, 112, SKColorType.Rgba8888, SKAlphaType.Opaque));
        for (var y = 0; y < 112; y++)
        for (var x = 0; x < 112; x++)
        {
            var (r, g, b) = Colour(sample, x, y);
            bitmap.SetPixel(x, y, new SKColor(r, g, b));
        }
        using var data = bitmap.Encode(SKEncodedImageFormat.Png, 100);
        return data.ToArray();
    }
}

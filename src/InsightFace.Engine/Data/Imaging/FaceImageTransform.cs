using System.Runtime.Intrinsics;

namespace InsightFace.Engine.Data.Imaging;

/// <summary>The channel order a network expects.</summary>
public enum ChannelOrder
{
    /// <summary>Red, green, blue: arcface_torch and our checkpoints.</summary>
    Rgb,
    /// <summary>Blue, green, red: OpenCV-style models.</summary>
    Bgr,
}

/// <summary>
/// Turns a decoded RGB or RGBA image (HWC bytes) into the float CHW input of a network: (x − mean) / std per channel,
/// in the requested channel order, optionally mirrored left to right.
/// </summary>
/// <remarks>
/// Every value is computed as ((x / divisor) − offset) · scale in float32, whether from a table of the 256 results
/// or eight pixels at a time with vector instructions: the same operations in the same order, so the same bits.
/// </remarks>
public sealed class FaceImageTransform
{
    private static readonly Vector256<int> Reversed = Vector256.Create(7, 6, 5, 4, 3, 2, 1, 0);
    private readonly float[] _lookup = new float[256];
    private readonly float _divisor, _offset, _scale;

    /// <summary>
    /// arcface_torch's input: RGB, <c>((x / 255) − 0.5) / 0.5</c> in float32 exactly as its verification and
    /// training code compute it (half of the 256 values differ in the last bit from (x − 127.5) / 127.5).
    /// </summary>
    /// <remarks>Dividing by 0.5 and multiplying by 2 give the same float (both are exact), so it is computed as the latter.</remarks>
    public static FaceImageTransform ArcFace { get; } = new(127.5f, 127.5f, ChannelOrder.Rgb, divisor: 255f, offset: 0.5f, scale: 2f);

    /// <summary>
    /// Creates the transform (x − mean) · (1 / std) in float32, the arithmetic of OpenCV's blobFromImages with which
    /// InsightFace's ONNX helper feeds models; <paramref name="std"/> must not be zero.
    /// </summary>
    public FaceImageTransform(float mean, float std, ChannelOrder order)
        : this(mean, std, order, divisor: 1f, offset: mean, scale: (float)(1.0 / std))
    {
    }

    private FaceImageTransform(float mean, float std, ChannelOrder order, float divisor, float offset, float scale)
    {
        if (std == 0 || !float.IsFinite(std) || !float.IsFinite(mean))
            throw new ArgumentOutOfRangeException(nameof(std), $"Input mean {mean} and std {std} must be finite and std non-zero.");
        Mean = mean;
        Std = std;
        Order = order;
        (_divisor, _offset, _scale) = (divisor, offset, scale);
        // A table of the 256 possible results keeps the per-pixel work to one load where vectors are not used.
        for (var v = 0; v < 256; v++) _lookup[v] = (v / divisor - offset) * scale;
    }

    /// <summary>The value subtracted from every pixel.</summary>
    public float Mean { get; }

    /// <summary>The value every pixel is divided by after the mean is subtracted.</summary>
    public float Std { get; }

    /// <summary>The channel order of the output planes.</summary>
    public ChannelOrder Order { get; }

    /// <summary>
    /// Writes the CHW planes of a <paramref name="width"/> x <paramref name="height"/> RGB image into
    /// <paramref name="chw"/> (3·width·height floats), mirrored left to right when <paramref name="flip"/> is set.
    /// </summary>
    public void ToChw(ReadOnlySpan<byte> rgb, int width, int height, Span<float> chw, bool flip)
    {
        var plane = width * height;
        if (rgb.Length < 3 * plane || chw.Length < 3 * plane)
            throw new ArgumentException($"A {width}x{height} image needs {3 * plane} RGB bytes and {3 * plane} floats; got {rgb.Length} and {chw.Length}.");

        for (var c = 0; c < 3; c++)
        {
            var source = Order == ChannelOrder.Rgb ? c : 2 - c;
            var output = chw.Slice(c * plane, plane);
            for (var y = 0; y < height; y++)
            {
                var row = rgb.Slice(y * width * 3, width * 3);
                var target = output.Slice(y * width, width);
                for (var x = 0; x < width; x++)
                {
                    var sx = flip ? width - 1 - x : x;
                    target[x] = _lookup[row[sx * 3 + source]];
                }
            }
        }
    }

    /// <summary>
    /// Writes the CHW planes of a <paramref name="width"/> x <paramref name="height"/> RGBA image (4 bytes a pixel,
    /// alpha ignored: what SkiaSharp decodes into) into <paramref name="chw"/>, mirrored left to right when
    /// <paramref name="flip"/> is set. Gives the same floats as <see cref="ToChw"/> on the image's RGB bytes, without
    /// the RGB copy, and eight pixels at a time where the processor has 256-bit vectors.
    /// </summary>
    public unsafe void RgbaToChw(ReadOnlySpan<byte> rgba, int width, int height, Span<float> chw, bool flip)
    {
        var plane = width * height;
        if (rgba.Length < 4 * plane || chw.Length < 3 * plane)
            throw new ArgumentException($"A {width}x{height} image needs {4 * plane} RGBA bytes and {3 * plane} floats; got {rgba.Length} and {chw.Length}.");

        // Each pixel is read as one little-endian int (as on every platform .NET runs on): red in the low byte. The
        // shifts pick the channels in the output order.
        var (first, second, third) = Order == ChannelOrder.Rgb ? (0, 8, 16) : (16, 8, 0);
        var vectorWidth = Vector256.IsHardwareAccelerated ? width / 8 * 8 : 0;
        var (divisor, offset, scale) = (Vector256.Create(_divisor), Vector256.Create(_offset), Vector256.Create(_scale));
        Vector256<float> Normalise(Vector256<int> pixel, int shift) =>
            (Vector256.ConvertToSingle(Vector256.ShiftRightLogical(pixel, shift) & Vector256.Create(0xFF)) / divisor - offset) * scale;
        fixed (byte* pixels = rgba)
        fixed (float* output = chw)
        fixed (float* lookup = _lookup)
        {
            for (var y = 0; y < height; y++)
            {
                var row = (int*)pixels + y * width;
                var a = output + y * width;
                float* b = a + plane, c = b + plane;
                var x = 0;
                for (; x < vectorWidth; x += 8)
                {
                    var pixel = flip ? Vector256.Shuffle(Vector256.Load(row + width - 8 - x), Reversed) : Vector256.Load(row + x);
                    Normalise(pixel, first).Store(a + x);
                    Normalise(pixel, second).Store(b + x);
                    Normalise(pixel, third).Store(c + x);
                }
                for (; x < width; x++)
                {
                    var pixel = row[flip ? width - 1 - x : x];
                    a[x] = lookup[(pixel >> first) & 0xFF];
                    b[x] = lookup[(pixel >> second) & 0xFF];
                    c[x] = lookup[(pixel >> third) & 0xFF];
                }
            }
        }
    }
}

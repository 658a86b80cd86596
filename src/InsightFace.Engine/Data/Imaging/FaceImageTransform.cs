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
/// Turns a decoded RGB image (HWC bytes) into the float CHW input of a network: (x − mean) / std per channel,
/// in the requested channel order, optionally mirrored left to right.
/// </summary>
public sealed class FaceImageTransform
{
    private readonly float[] _lookup = new float[256];

    /// <summary>
    /// arcface_torch's input: RGB, <c>((x / 255) − 0.5) / 0.5</c> in float32 exactly as its verification and
    /// training code compute it (half of the 256 values differ in the last bit from (x − 127.5) / 127.5).
    /// </summary>
    public static FaceImageTransform ArcFace { get; } =
        new(127.5f, 127.5f, ChannelOrder.Rgb, v => (v / 255f - 0.5f) / 0.5f);

    /// <summary>
    /// Creates the transform (x − mean) · (1 / std) in float32, the arithmetic of OpenCV's blobFromImages with which
    /// InsightFace's ONNX helper feeds models; <paramref name="std"/> must not be zero.
    /// </summary>
    public FaceImageTransform(float mean, float std, ChannelOrder order)
        : this(mean, std, order, v => (v - mean) * (float)(1.0 / std))
    {
    }

    private FaceImageTransform(float mean, float std, ChannelOrder order, Func<int, float> normalise)
    {
        if (std == 0 || !float.IsFinite(std) || !float.IsFinite(mean))
            throw new ArgumentOutOfRangeException(nameof(std), $"Input mean {mean} and std {std} must be finite and std non-zero.");
        Mean = mean;
        Std = std;
        Order = order;
        // A table of the 256 possible results keeps the per-pixel work to one load.
        for (var v = 0; v < 256; v++) _lookup[v] = normalise(v);
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
}

using SkiaSharp;

namespace InsightFace.Engine.Data.Imaging;

/// <summary>
/// Decodes JPEG or PNG bytes with SkiaSharp into RGB pixels of a fixed size (112x112 by default), resizing
/// images of another size, and into normalised float CHW input. One instance per thread: it reuses its buffers.
/// </summary>
public sealed class FaceImageDecoder
{
    private readonly byte[] _rgba;
    private readonly byte[] _rgb;

    /// <summary>Creates a decoder for <paramref name="width"/> x <paramref name="height"/> output.</summary>
    public FaceImageDecoder(int width = 112, int height = 112)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(width);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(height);
        Width = width;
        Height = height;
        _rgba = new byte[width * height * 4];
        _rgb = new byte[width * height * 3];
    }

    /// <summary>The output width in pixels.</summary>
    public int Width { get; }

    /// <summary>The output height in pixels.</summary>
    public int Height { get; }

    /// <summary>The width and height of the image decoded last, before it was resized to <see cref="Width"/> x <see cref="Height"/>.</summary>
    public (int Width, int Height) SourceSize { get; private set; }

    /// <summary>The number of bytes <see cref="DecodeRgb"/> writes: width·height·3.</summary>
    public int RgbLength => _rgb.Length;

    /// <summary>The number of floats <see cref="DecodeChw"/> writes: 3·width·height.</summary>
    public int ChwLength => 3 * Width * Height;

    /// <summary>
    /// Decodes <paramref name="encoded"/> into <paramref name="rgb"/> as HWC RGB bytes. Throws
    /// <see cref="FaceImageDecodeException"/> when the bytes are not a decodable image.
    /// </summary>
    public void DecodeRgb(ReadOnlySpan<byte> encoded, Span<byte> rgb)
    {
        if (rgb.Length < RgbLength)
            throw new ArgumentException($"The RGB buffer holds {rgb.Length} bytes; {RgbLength} are needed.", nameof(rgb));
        DecodeRgba(encoded);
        for (int p = 0, q = 0; q < RgbLength; p += 4, q += 3)
        {
            rgb[q] = _rgba[p];
            rgb[q + 1] = _rgba[p + 1];
            rgb[q + 2] = _rgba[p + 2];
        }
    }

    /// <summary>
    /// Decodes <paramref name="encoded"/> and writes the normalised CHW planes into <paramref name="chw"/>,
    /// mirrored left to right when <paramref name="flip"/> is set.
    /// </summary>
    public void DecodeChw(ReadOnlySpan<byte> encoded, FaceImageTransform transform, Span<float> chw, bool flip)
    {
        DecodeRgba(encoded);
        transform.RgbaToChw(_rgba, Width, Height, chw, flip);
    }

    private unsafe void DecodeRgba(ReadOnlySpan<byte> encoded)
    {
        fixed (byte* source = encoded)
        fixed (byte* target = _rgba)
        {
            // Wraps the caller's bytes without copying them; the data object never outlives this call.
            using var data = SKData.Create((IntPtr)source, encoded.Length, null);
            using var codec = data is null ? null : SKCodec.Create(data);
            if (codec is null)
                throw new FaceImageDecodeException($"The {encoded.Length} bytes are not a JPEG, PNG or other image SkiaSharp can decode.");

            SourceSize = (codec.Info.Width, codec.Info.Height);
            var output = new SKImageInfo(Width, Height, SKColorType.Rgba8888, SKAlphaType.Unpremul);
            if (codec.Info.Width == Width && codec.Info.Height == Height)
            {
                Check(codec.GetPixels(output, (IntPtr)target), codec);
                return;
            }
            using var full = new SKBitmap(new SKImageInfo(codec.Info.Width, codec.Info.Height, SKColorType.Rgba8888, SKAlphaType.Unpremul));
            Check(codec.GetPixels(full.Info, full.GetPixels()), codec);
            using var fullPixels = full.PeekPixels();
            using var scaled = new SKPixmap(output, (IntPtr)target);
            if (!fullPixels.ScalePixels(scaled, new SKSamplingOptions(SKFilterMode.Linear, SKMipmapMode.None)))
                throw new FaceImageDecodeException($"A {codec.Info.Width}x{codec.Info.Height} image could not be resized to {Width}x{Height}.");
        }
    }

    private static void Check(SKCodecResult result, SKCodec codec)
    {
        // IncompleteInput still fills the image (the rest grey); a truncated face image must fail instead.
        if (result != SKCodecResult.Success)
            throw new FaceImageDecodeException($"Decoding the {codec.EncodedFormat} image ({codec.Info.Width}x{codec.Info.Height}) failed: {result}.");
    }
}

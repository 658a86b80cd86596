using SkiaSharp;

namespace InsightFace.Engine.Data;

/// <summary>The height and width of the images of a dataset, in pixels.</summary>
/// <param name="Height">Rows.</param>
/// <param name="Width">Columns.</param>
public readonly record struct ImageSize(int Height, int Width)
{
    /// <summary>
    /// Reads the size from the header of an encoded image without decoding its pixels; null when the bytes
    /// are not an image SkiaSharp can decode. JPEG headers are read directly (<see cref="JpegHeader"/>), any other
    /// format through SkiaSharp's codec.
    /// </summary>
    public static ImageSize? FromEncoded(ReadOnlySpan<byte> encoded) =>
        JpegHeader.IsJpeg(encoded) ? JpegHeader.ReadSize(encoded) : FromCodec(encoded);

    /// <summary>The size SkiaSharp's codec reads, for any format it knows; null when it has no codec for the bytes.</summary>
    internal static unsafe ImageSize? FromCodec(ReadOnlySpan<byte> encoded)
    {
        fixed (byte* bytes = encoded)
        {
            // Wraps the caller's bytes without copying them; the data object never outlives this call.
            using var data = SKData.Create((IntPtr)bytes, encoded.Length, null);
            using var codec = data is null ? null : SKCodec.Create(data);
            if (codec is null) return null;
            var info = codec.Info;
            return info.Width > 0 && info.Height > 0 ? new ImageSize(info.Height, info.Width) : null;
        }
    }

    /// <inheritdoc/>
    public override string ToString() => $"{Height}x{Width}";
}

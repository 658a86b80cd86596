namespace InsightFace.Engine.Data;

/// <summary>
/// Reads a JPEG's size from its markers, with the checks libjpeg's <c>jpeg_read_header</c> (SkiaSharp's JPEG codec)
/// makes before it will decode: known markers only, segment lengths that add up, quantisation and Huffman table
/// definitions in range, one supported 8-bit frame header with a non-zero size, 1, 3 or 4 components and sampling
/// factors 1–4, and a scan header naming those components. Converters check every record this way; asking SkiaSharp
/// for a codec answers the same question at several times the cost.
/// </summary>
internal static class JpegHeader
{
    private const byte Marker = 0xFF, StartOfImage = 0xD8, StartOfScan = 0xDA, DefineQuantisation = 0xDB,
        DefineHuffman = 0xC4, DefineRestart = 0xDD, Comment = 0xFE;

    /// <summary>Whether <paramref name="encoded"/> starts like a JPEG (FF D8 FF).</summary>
    public static bool IsJpeg(ReadOnlySpan<byte> encoded) =>
        encoded.Length >= 3 && encoded[0] == Marker && encoded[1] == StartOfImage && encoded[2] == Marker;

    /// <summary>The size in the frame header of a JPEG; null when its header is malformed or incomplete.</summary>
    public static ImageSize? ReadSize(ReadOnlySpan<byte> jpeg)
    {
        ReadOnlySpan<byte> frame = default;
        var at = 2;
        while (true)
        {
            // Like libjpeg, skip stray bytes before a marker, its fill bytes, and stuffed zeros (FF 00).
            do
            {
                while (at < jpeg.Length && jpeg[at] != Marker) at++;
                while (at < jpeg.Length && jpeg[at] == Marker) at++;
                if (at >= jpeg.Length) return null;
            } while (jpeg[at++] == 0);
            var marker = jpeg[at - 1];
            if (marker is 0x01 or >= 0xD0 and <= 0xD7) continue; // markers without a segment
            if (at + 2 > jpeg.Length) return null;
            var length = jpeg[at] << 8 | jpeg[at + 1];
            // libjpeg skips application and comment segments by their length, and nothing at all when it is bogus.
            if (length < 2 && marker is >= 0xE0 and <= 0xEF or Comment) length = 2;
            if (length < 2 || at + length > jpeg.Length) return null;
            var body = jpeg.Slice(at + 2, length - 2);
            var isFrame = marker is 0xC0 or 0xC1 or 0xC2 or 0xC9 or 0xCA; // baseline, extended, progressive, arithmetic
            var valid = marker switch
            {
                StartOfScan => !frame.IsEmpty && IsScan(body, frame),
                _ when isFrame => frame.IsEmpty && IsFrame(body),
                DefineQuantisation => IsQuantisation(body),
                DefineHuffman => IsHuffman(body),
                DefineRestart => body.Length == 2,
                >= 0xE0 and <= 0xEF or Comment => true,
                _ => false, // unsupported frame types, a second SOI, EOI before the image, unknown markers
            };
            if (!valid) return null;
            if (marker == StartOfScan) return new ImageSize(frame[1] << 8 | frame[2], frame[3] << 8 | frame[4]);
            if (isFrame) frame = body;
            at += length;
        }
    }

    /// <summary>A frame header: precision 8, height and width 1–65500, 1, 3 or 4 components with sampling factors 1–4.</summary>
    private static bool IsFrame(ReadOnlySpan<byte> frame)
    {
        if (frame.Length < 6 || frame[0] != 8) return false;
        var height = frame[1] << 8 | frame[2];
        var width = frame[3] << 8 | frame[4];
        var components = frame[5];
        if (height is 0 or > 65500 || width is 0 or > 65500 || components is not (1 or 3 or 4) || frame.Length != 6 + 3 * components)
            return false;
        for (var c = 0; c < components; c++)
        {
            var sampling = frame[6 + 3 * c + 1];
            if (sampling >> 4 is < 1 or > 4 || (sampling & 15) is < 1 or > 4) return false;
        }
        return true;
    }

    /// <summary>A scan header: 1–4 components, each one of the frame's, then spectral selection and approximation bytes.</summary>
    private static bool IsScan(ReadOnlySpan<byte> scan, ReadOnlySpan<byte> frame)
    {
        if (scan.Length < 1 || scan[0] is < 1 or > 4 || scan.Length != 4 + 2 * scan[0]) return false;
        for (var s = 0; s < scan[0]; s++)
        {
            var found = false;
            for (var c = 0; c < frame[5]; c++) found |= frame[6 + 3 * c] == scan[1 + 2 * s];
            if (!found) return false;
        }
        return true;
    }

    /// <summary>Quantisation tables: each a precision/index byte (index 0–3) and 64 values of 8 or 16 bits, filling the segment exactly.</summary>
    private static bool IsQuantisation(ReadOnlySpan<byte> tables)
    {
        while (!tables.IsEmpty)
        {
            var size = 1 + 64 * (tables[0] >> 4 == 0 ? 1 : 2);
            if ((tables[0] & 15) > 3 || tables.Length < size) return false;
            tables = tables[size..];
        }
        return true;
    }

    /// <summary>Huffman tables: each a class/index byte (DC 0–3 or AC 16–19), 16 counts totalling at most 256, and the symbols.</summary>
    private static bool IsHuffman(ReadOnlySpan<byte> tables)
    {
        while (!tables.IsEmpty)
        {
            if (tables[0] is not (<= 3 or >= 16 and <= 19) || tables.Length < 17) return false;
            var symbols = 0;
            for (var i = 1; i <= 16; i++) symbols += tables[i];
            if (symbols > 256 || tables.Length < 17 + symbols) return false;
            tables = tables[(17 + symbols)..];
        }
        return true;
    }
}

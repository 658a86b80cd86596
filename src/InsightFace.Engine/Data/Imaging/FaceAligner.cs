using SkiaSharp;

namespace InsightFace.Engine.Data.Imaging;

/// <summary>
/// Aligns a face photo to the standard ArcFace 112x112 crop from its 5 landmarks (left eye, right eye, nose tip,
/// left and right mouth corner), as InsightFace's <c>face_align.norm_crop</c> does: the least-squares similarity
/// transform (rotation, uniform scale, translation) onto the ArcFace template, then a bilinear warp with a black
/// border.
/// </summary>
public static class FaceAligner
{
    /// <summary>The side of the aligned crop.</summary>
    public const int CropSide = 112;

    /// <summary>Where the 5 landmarks land in the 112x112 crop (InsightFace's <c>arcface_dst</c>), in pixels.</summary>
    public static IReadOnlyList<(double X, double Y)> ArcFaceTemplate { get; } =
    [
        (38.2946, 51.6963), (73.5318, 51.5014), (56.0252, 71.7366), (41.5493, 92.3655), (70.7299, 92.2041),
    ];

    /// <summary>
    /// The similarity transform that maps <paramref name="source"/> onto <paramref name="target"/> with the least
    /// squared error (what Umeyama's method gives without reflection), as the affine matrix
    /// <c>[a, −b, tx; b, a, ty]</c> in OpenCV's pixel convention (pixel i is at coordinate i).
    /// </summary>
    public static double[,] EstimateSimilarity(IReadOnlyList<(double X, double Y)> source, IReadOnlyList<(double X, double Y)> target)
    {
        if (source.Count != target.Count || source.Count < 2)
            throw new ArgumentException($"Expected two lists of the same number (at least 2) of points, found {source.Count} and {target.Count}.");
        double sx = source.Average(p => p.X), sy = source.Average(p => p.Y), tx = target.Average(p => p.X), ty = target.Average(p => p.Y);
        double dot = 0, cross = 0, norm = 0;
        for (var i = 0; i < source.Count; i++)
        {
            double x = source[i].X - sx, y = source[i].Y - sy, u = target[i].X - tx, v = target[i].Y - ty;
            dot += x * u + y * v;
            cross += x * v - y * u;
            norm += x * x + y * y;
        }
        if (norm == 0) throw new ArgumentException("The source points all coincide: no transform is defined.", nameof(source));
        double a = dot / norm, b = cross / norm;
        return new[,] { { a, -b, tx - (a * sx - b * sy) }, { b, a, ty - (b * sx + a * sy) } };
    }

    /// <summary>Warps <paramref name="photo"/> into the 112x112 ArcFace crop given its 5 <paramref name="landmarks"/> (pixels).</summary>
    public static SKBitmap Align(SKBitmap photo, IReadOnlyList<(double X, double Y)> landmarks)
    {
        if (landmarks.Count != ArcFaceTemplate.Count)
            throw new ArgumentException($"Expected {ArcFaceTemplate.Count} landmarks, found {landmarks.Count}.", nameof(landmarks));
        var m = EstimateSimilarity(landmarks, ArcFaceTemplate);
        // Skia puts pixel centres at i + 0.5, OpenCV at i: shift into and out of OpenCV's convention.
        var matrix = new SKMatrix(
            (float)m[0, 0], (float)m[0, 1], (float)(m[0, 2] + 0.5 - 0.5 * (m[0, 0] + m[0, 1])),
            (float)m[1, 0], (float)m[1, 1], (float)(m[1, 2] + 0.5 - 0.5 * (m[1, 0] + m[1, 1])),
            0, 0, 1);
        var crop = new SKBitmap(new SKImageInfo(CropSide, CropSide, SKColorType.Rgba8888, SKAlphaType.Opaque));
        using var canvas = new SKCanvas(crop);
        using var image = SKImage.FromBitmap(photo);
        canvas.Clear(SKColors.Black);
        canvas.SetMatrix(matrix);
        canvas.DrawImage(image, 0, 0, new SKSamplingOptions(SKFilterMode.Linear));
        return crop;
    }

    /// <summary>Decodes <paramref name="encodedPhoto"/>, aligns it and returns the crop as JPEG.</summary>
    /// <exception cref="ArgumentException">The bytes are not a decodable image.</exception>
    public static byte[] AlignEncoded(byte[] encodedPhoto, IReadOnlyList<(double X, double Y)> landmarks, int quality = JpegEncoder.DefaultQuality)
    {
        using var data = SKData.CreateCopy(encodedPhoto);
        using var codec = SKCodec.Create(data);
        using var photo = (codec is null ? null : SKBitmap.Decode(codec))
                          ?? throw new ArgumentException($"Expected an encoded image, found {encodedPhoto.Length} bytes that do not decode.", nameof(encodedPhoto));
        using var crop = Align(photo, landmarks);
        return JpegEncoder.Encode(crop, quality);
    }
}

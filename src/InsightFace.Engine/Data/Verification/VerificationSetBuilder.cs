using InsightFace.Engine.Data.Imaging;

namespace InsightFace.Engine.Data.Verification;

/// <summary>Builds a verification set from image files, keeping each file's encoded bytes as they are.</summary>
public static class VerificationSetBuilder
{
    /// <summary>
    /// Reads the two images of every pair, in order, and checks that each decodes; a file that does not is an
    /// error naming it, because one missing image would change the protocol.
    /// </summary>
    public static VerificationSet FromPairs(IReadOnlyList<ImagePair> pairs, CancellationToken cancellationToken = default)
    {
        var decoder = new FaceImageDecoder();
        var rgb = new byte[decoder.RgbLength];
        var images = new byte[2 * pairs.Count][];
        for (var i = 0; i < pairs.Count; i++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            images[2 * i] = ReadImage(pairs[i].FirstPath, decoder, rgb);
            images[2 * i + 1] = ReadImage(pairs[i].SecondPath, decoder, rgb);
        }
        return new VerificationSet(images, pairs.Select(p => p.IsSame).ToArray());
    }

    private static byte[] ReadImage(string path, FaceImageDecoder decoder, byte[] rgb)
    {
        var bytes = File.ReadAllBytes(path);
        try
        {
            decoder.DecodeRgb(bytes, rgb);
        }
        catch (FaceImageDecodeException e)
        {
            throw new VerificationSetException(ErrorIds.PairsListImageInvalid, path, $"{path}: {e.Message}", e);
        }
        return bytes;
    }
}

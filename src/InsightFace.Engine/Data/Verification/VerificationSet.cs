namespace InsightFace.Engine.Data.Verification;

/// <summary>
/// A verification set as InsightFace's <c>.bin</c> holds it: encoded images, where images 2i and 2i+1 form
/// pair i, and one "same identity" flag per pair.
/// </summary>
public sealed class VerificationSet
{
    /// <summary>Creates a set; <paramref name="images"/> must hold exactly two images per pair.</summary>
    public VerificationSet(IReadOnlyList<byte[]> images, IReadOnlyList<bool> isSame)
    {
        if (images.Count != 2 * isSame.Count)
            throw new ArgumentException(
                $"A verification set needs two images per pair: {images.Count} images for {isSame.Count} pairs.", nameof(images));
        Images = images;
        IsSame = isSame;
    }

    /// <summary>The encoded images (JPEG or PNG bytes), two per pair.</summary>
    public IReadOnlyList<byte[]> Images { get; }

    /// <summary>One flag per pair: true when both images show the same identity.</summary>
    public IReadOnlyList<bool> IsSame { get; }

    /// <summary>The number of pairs.</summary>
    public int Pairs => IsSame.Count;
}

using System.Globalization;
using System.Text.RegularExpressions;
using InsightFace.Engine.Data.Imaging;
using InsightFace.Engine.Data.Verification;
using SkiaSharp;

namespace InsightFace.Engine.Data.Synthetic;

/// <summary>
/// Learnable synthetic faces: each class is a distinct face-like pattern (<see cref="SyntheticIdentity"/>) and
/// each image a randomly shifted, scaled, rotated, lit and noised instance of it on a random background,
/// JPEG-encoded. Images are
/// rendered on demand from (seed, class, image), so any number of them costs no memory and the same seed always
/// gives the same dataset. <see cref="HeldOutPairs"/> gives verification pairs from classes not in the set.
/// </summary>
public sealed class SyntheticFaceDataset : IFaceDataset
{
    /// <summary>The side of the images, as ArcFace crops are.</summary>
    public const int DefaultImageSide = 112;

    /// <summary>The start of <see cref="DatasetInfo.DatasetPath"/> of a synthetic dataset, which <see cref="FromSpec"/> reads back.</summary>
    public const string SpecPrefix = "synthetic:";

    private const int Quality = 90;
    private static readonly Regex Spec = new(@"^synthetic:classes=(\d+),images-per-class=(\d+),seed=(-?\d+)$", RegexOptions.CultureInvariant);
    private readonly int _imagesPerClass;
    private readonly long _seed;
    private readonly int _side;

    /// <summary>
    /// A dataset of <paramref name="classes"/> × <paramref name="imagesPerClass"/> images determined by <paramref name="seed"/>.
    /// <paramref name="validationTargets"/> are <c>.bin</c> files that go with it (see <see cref="WriteHeldOutBin"/>):
    /// writers copy them beside the data, as they copy a folder's.
    /// </summary>
    public SyntheticFaceDataset(int classes, int imagesPerClass, long seed, int imageSide = DefaultImageSide,
        IReadOnlyList<string>? validationTargets = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(classes, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(imagesPerClass, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan((long)classes * imagesPerClass, int.MaxValue, nameof(imagesPerClass));
        ArgumentOutOfRangeException.ThrowIfLessThan(imageSide, 16);
        NumClasses = classes;
        _imagesPerClass = imagesPerClass;
        _seed = seed;
        _side = imageSide;
        Info = new DatasetInfo(DatasetFormat.Synthetic, $"{SpecPrefix}classes={classes},images-per-class={imagesPerClass},seed={seed}",
            new ImageSize(imageSide, imageSide), 0, validationTargets?.Select(Path.GetFullPath).ToArray() ?? [], null);
    }

    /// <summary>
    /// Re-creates the dataset that <see cref="DatasetInfo.DatasetPath"/> <paramref name="spec"/> describes
    /// (<c>synthetic:classes=N,images-per-class=M,seed=S</c>), with its <paramref name="validationTargets"/>.
    /// </summary>
    /// <exception cref="DatasetNotFoundException"><paramref name="spec"/> is not such a description.</exception>
    public static SyntheticFaceDataset FromSpec(string spec, IReadOnlyList<string>? validationTargets = null)
    {
        var match = Spec.Match(spec);
        if (!match.Success || !int.TryParse(match.Groups[1].Value, CultureInfo.InvariantCulture, out var classes) ||
            !int.TryParse(match.Groups[2].Value, CultureInfo.InvariantCulture, out var imagesPerClass) || classes < 1 || imagesPerClass < 1)
            throw new DatasetNotFoundException(ErrorIds.DatasetNotFound, spec,
                $"{spec}: expected a synthetic dataset description, {SpecPrefix}classes=N,images-per-class=M,seed=S.");
        return new SyntheticFaceDataset(classes, imagesPerClass, long.Parse(match.Groups[3].Value, CultureInfo.InvariantCulture),
            validationTargets: validationTargets);
    }

    /// <summary>
    /// Writes <paramref name="pairs"/> <see cref="HeldOutPairs"/> as an InsightFace verification <c>.bin</c> at
    /// <paramref name="path"/> (through a temporary file renamed when complete) and returns the dataset with that
    /// file among its validation targets.
    /// </summary>
    /// <exception cref="VerificationSetException">The file exists and <paramref name="overwrite"/> is false.</exception>
    public SyntheticFaceDataset WriteHeldOutBin(string path, int pairs, bool overwrite = false)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(pairs, 1);
        var images = new List<byte[]>(2 * pairs);
        var isSame = new List<bool>(pairs);
        foreach (var pair in HeldOutPairs(pairs))
        {
            images.Add(pair.ImageA);
            images.Add(pair.ImageB);
            isSame.Add(pair.Same);
        }
        VerificationBinWriter.Write(path, new VerificationSet(images, isSame), overwrite);
        return new SyntheticFaceDataset(NumClasses, _imagesPerClass, _seed, _side,
            [.. Info.ValidationTargets.Append(Path.GetFullPath(path)).Distinct()]);
    }

    /// <inheritdoc/>
    public DatasetInfo Info { get; }

    /// <inheritdoc/>
    public int Count => NumClasses * _imagesPerClass;

    /// <inheritdoc/>
    public int NumClasses { get; }

    /// <summary>Image <paramref name="index"/>: class <c>index / imagesPerClass</c>, so labels are sorted.</summary>
    public FaceSample Read(int index)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(index, Count);
        var label = index / _imagesPerClass;
        return new FaceSample(Render(label, index % _imagesPerClass), label, $"{Info.DatasetPath}#{index}");
    }

    /// <summary>
    /// <paramref name="pairs"/> verification pairs from <paramref name="heldOutClasses"/> identities that are not in
    /// this dataset (class ids from <see cref="NumClasses"/> on), alternating same and different identity, with
    /// images that are not in the dataset either: what a <c>.bin</c> of unseen people needs.
    /// </summary>
    public IEnumerable<VerificationPair> HeldOutPairs(int pairs, int heldOutClasses = 50)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(heldOutClasses, 2);
        var random = new SplitMix64(_seed, NumClasses, 0x9A125);
        for (var i = 0; i < pairs; i++)
        {
            var same = i % 2 == 0;
            var first = NumClasses + random.NextInt(heldOutClasses);
            var second = same ? first : NumClasses + (first - NumClasses + 1 + random.NextInt(heldOutClasses - 1)) % heldOutClasses;
            // Image ids past imagesPerClass never collide with training images.
            yield return new VerificationPair(
                Render(first, _imagesPerClass + 2 * i),
                Render(second, _imagesPerClass + 2 * i + 1),
                same);
        }
    }

    /// <inheritdoc/>
    public void Dispose()
    {
    }

    private byte[] Render(int classId, int imageId)
    {
        var r = new SplitMix64(_seed, classId, imageId);
        using var bitmap = new SKBitmap(new SKImageInfo(_side, _side, SKColorType.Rgba8888, SKAlphaType.Opaque));
        using (var canvas = new SKCanvas(bitmap))
        {
            var identity = new SyntheticIdentity(_seed, classId);
            // The background changes with every image, so only the face identifies the class.
            canvas.Clear(new SKColor((byte)r.Range(30, 230), (byte)r.Range(30, 230), (byte)r.Range(30, 230)));
            canvas.Translate(_side * (0.5f + (float)r.Range(-0.04, 0.04)), _side * (0.5f + (float)r.Range(-0.04, 0.04)));
            canvas.RotateDegrees((float)r.Range(-6, 6));
            canvas.Scale(_side * (float)r.Range(0.92, 1.08));
            identity.Draw(canvas);
        }
        Light(bitmap.GetPixelSpan(), ref r);
        return JpegEncoder.Encode(bitmap, Quality);
    }

    /// <summary>Overall brightness, a left-to-right light gradient and Gaussian pixel noise.</summary>
    private void Light(Span<byte> rgba, ref SplitMix64 r)
    {
        var brightness = r.Range(0.7, 1.25);
        var gradient = r.Range(-0.25, 0.25);
        var noise = r.Range(3, 10);
        for (var y = 0; y < _side; y++)
        for (var x = 0; x < _side; x++)
        {
            var gain = brightness * (1 + gradient * (x / (double)_side - 0.5));
            var at = 4 * (y * _side + x);
            for (var c = 0; c < 3; c++)
                rgba[at + c] = (byte)Math.Clamp(rgba[at + c] * gain + noise * r.NextGaussian(), 0, 255);
        }
    }
}

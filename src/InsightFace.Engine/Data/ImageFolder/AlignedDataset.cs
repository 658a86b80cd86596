using InsightFace.Engine.Data.Imaging;

namespace InsightFace.Engine.Data.ImageFolder;

/// <summary>
/// Presents a dataset of photos as aligned 112x112 ArcFace crops, so every writer accepts unaligned photos: an image
/// with landmarks is aligned (and re-encoded as JPEG); one without is passed through untouched when it already is a
/// 112x112 crop, and otherwise read as a <see cref="ErrorIds.DatasetImageNotAligned"/> error, which writers
/// report and skip.
/// </summary>
public sealed class AlignedDataset : IFaceDataset
{
    private readonly IFaceDataset _photos;
    private readonly FaceLandmarks _landmarks;

    /// <summary>Wraps <paramref name="photos"/>, whose sample origins are file paths (as an image folder's are).</summary>
    public AlignedDataset(IFaceDataset photos, FaceLandmarks landmarks)
    {
        _photos = photos;
        _landmarks = landmarks;
        Info = photos.Info with { ImageSize = new ImageSize(FaceAligner.CropSide, FaceAligner.CropSide) };
    }

    /// <inheritdoc/>
    public DatasetInfo Info { get; }

    /// <inheritdoc/>
    public int Count => _photos.Count;

    /// <inheritdoc/>
    public int NumClasses => _photos.NumClasses;

    /// <inheritdoc/>
    public FaceSample Read(int index)
    {
        var photo = _photos.Read(index);
        if (_landmarks.For(photo.Origin) is { } points)
        {
            try
            {
                return photo with { Image = FaceAligner.AlignEncoded(photo.Image, points) };
            }
            catch (ArgumentException e)
            {
                throw new DatasetFormatException(ErrorIds.DatasetImageUndecodable, photo.Origin, null,
                    $"{photo.Origin}: expected a photo to align, found bytes that do not decode ({e.Message}).", e);
            }
        }
        if (ImageSize.FromEncoded(photo.Image) == new ImageSize(FaceAligner.CropSide, FaceAligner.CropSide)) return photo;
        throw new DatasetFormatException(ErrorIds.DatasetImageNotAligned, photo.Origin, null,
            $"{photo.Origin}: expected an aligned {FaceAligner.CropSide}x{FaceAligner.CropSide} crop or landmarks for it, " +
            $"found a {ImageSize.FromEncoded(photo.Image)?.ToString() ?? "non-image"} file without landmarks.");
    }

    /// <inheritdoc/>
    public void Dispose() => _photos.Dispose();
}

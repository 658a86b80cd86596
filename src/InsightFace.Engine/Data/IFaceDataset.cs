namespace InsightFace.Engine.Data;

/// <summary>Makes something of one image's encoded bytes and label; the bytes are only valid during the call.</summary>
public delegate T FaceImageReader<out T>(ReadOnlySpan<byte> image, int label);

/// <summary>
/// A face dataset with random access by index: every reader (RecordIO, image folder, OFRecord, synthetic)
/// implements it, so loaders and writers never care which format they read.
/// </summary>
/// <remarks>
/// Readers stream from disk: only index arrays are held in memory. <see cref="Read"/> is safe to call from
/// several threads at once.
/// </remarks>
public interface IFaceDataset : IDisposable
{
    /// <summary>Where the dataset came from and what is known about it without reading every record.</summary>
    DatasetInfo Info { get; }

    /// <summary>The number of images.</summary>
    int Count { get; }

    /// <summary>The number of identities; labels lie in 0 .. NumClasses − 1.</summary>
    int NumClasses { get; }

    /// <summary>Reads image <paramref name="index"/> (0 .. Count − 1): its encoded bytes and its label.</summary>
    FaceSample Read(int index);

    /// <summary>
    /// Reads image <paramref name="index"/> and returns what <paramref name="read"/> makes of its encoded bytes and
    /// label, failing as <see cref="Read(int)"/> does. Readers that can hand out their own buffer override it, so
    /// that a writer copying millions of images allocates no array per image.
    /// </summary>
    T Read<T>(int index, FaceImageReader<T> read)
    {
        var sample = Read(index);
        return read(sample.Image, sample.Label);
    }
}

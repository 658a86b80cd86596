// TEMPORARY stub with the agreed API; replaced by helper/data2's loader. Not committed.
using InsightFace.Engine.Data.Imaging;

namespace InsightFace.Engine.Data.Loading;

/// <summary>stub</summary>
public sealed record TrainingLoaderOptions(int BatchSize, int Workers, long Seed, int Rank = 0, int WorldSize = 1, int Prefetch = 4, bool RandomFlip = true);

/// <summary>stub</summary>
public sealed class TrainingBatch : IDisposable
{
    internal TrainingBatch(float[] images, long[] labels, int count, int epoch, long index) { Images = images; Labels = labels; Count = count; Epoch = epoch; Index = index; }
    /// <summary>stub</summary>
    public float[] Images { get; }
    /// <summary>stub</summary>
    public long[] Labels { get; }
    /// <summary>stub</summary>
    public int Count { get; }
    /// <summary>stub</summary>
    public int Epoch { get; }
    /// <summary>stub</summary>
    public long Index { get; }
    /// <summary>stub</summary>
    public void Dispose() { }
}

/// <summary>stub</summary>
public sealed class TrainingLoader : IDisposable
{
    private readonly IFaceDataset _dataset;
    private readonly TrainingLoaderOptions _o;
    /// <summary>stub</summary>
    public TrainingLoader(IFaceDataset dataset, TrainingLoaderOptions options) { _dataset = dataset; _o = options; BatchesPerEpoch = dataset.Count / options.WorldSize / options.BatchSize; }
    /// <summary>stub</summary>
    public long BatchesPerEpoch { get; }
    /// <summary>stub</summary>
    public IEnumerable<TrainingBatch> Epoch(int epoch, long startBatch = 0, CancellationToken cancellationToken = default)
    {
        var perm = Enumerable.Range(0, _dataset.Count).ToArray();
        new Random((int)(_o.Seed * 31 + epoch)).Shuffle(perm);
        var mine = perm.Where((_, i) => i % _o.WorldSize == _o.Rank).ToArray();
        var decoder = new FaceImageDecoder();
        const int size = 3 * 112 * 112;
        for (var b = startBatch; b < BatchesPerEpoch; b++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var images = new float[_o.BatchSize * size];
            var labels = new long[_o.BatchSize];
            for (var j = 0; j < _o.BatchSize; j++)
            {
                var index = mine[b * _o.BatchSize + j];
                var sample = _dataset.Read(index);
                var flip = _o.RandomFlip && ((index * 2654435761L + epoch * 97 + _o.Seed) & 1) == 1;
                decoder.DecodeChw(sample.Image, FaceImageTransform.ArcFace, images.AsSpan(j * size, size), flip);
                labels[j] = sample.Label;
            }
            yield return new TrainingBatch(images, labels, _o.BatchSize, epoch, b);
        }
    }
    /// <summary>stub</summary>
    public void Dispose() { }
}

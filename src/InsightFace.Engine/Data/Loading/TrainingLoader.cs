using System.Collections.Concurrent;
using InsightFace.Engine.Data.Imaging;
using InsightFace.Engine.Data.OFRecord;

namespace InsightFace.Engine.Data.Loading;

/// <summary>
/// arcface_torch's training DataLoader: a seeded shuffle per epoch, sharded over ranks, decoded on worker threads
/// with a random horizontal flip and RGB ((x / 255) − 0.5) / 0.5, in batches that drop the last partial one.
/// </summary>
/// <remarks>
/// Every batch is determined by the seed, the epoch and its index alone: the shuffle depends only on (seed, epoch)
/// and the flip of sample i in epoch e on a hash of (seed, e, i). Batches are therefore bit-identical whatever the
/// number of workers, and an epoch resumed at batch k yields exactly the batches k, k + 1 … of an uninterrupted one.
/// Rank r takes every WorldSize-th sample of the shuffle from position r, as PyTorch's DistributedSampler, but
/// without padding: no sample is seen twice in an epoch, and every rank gets the same number of batches,
/// ⌊⌊N / WorldSize⌋ / BatchSize⌋, so that ranks stay in step.
/// </remarks>
public sealed class TrainingLoader : IDisposable
{
    /// <summary>The side of the square images the loader produces, as ArcFace crops are.</summary>
    public const int ImageSide = 112;

    private const long FlipStream = 0x464C4950; // "FLIP": keeps flips independent of the shuffle.
    private readonly IFaceDataset _dataset;
    private readonly TrainingLoaderOptions _options;
    private readonly BatchBufferPool _pool;
    private readonly BlockingCollection<ImageJob> _jobs = new();
    private readonly Thread[] _workers;
    private bool _disposed;

    /// <summary>Starts <see cref="TrainingLoaderOptions.Workers"/> decoding threads over <paramref name="dataset"/>.</summary>
    public TrainingLoader(IFaceDataset dataset, TrainingLoaderOptions options)
    {
        ArgumentNullException.ThrowIfNull(dataset);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.BatchSize, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.Workers, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.WorldSize, 1);
        ArgumentOutOfRangeException.ThrowIfNegative(options.Rank);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(options.Rank, options.WorldSize);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.Prefetch, 1);
        _dataset = dataset;
        _options = options;
        _pool = new BatchBufferPool(options.BatchSize, 3 * ImageSide * ImageSide);
        BatchesPerEpoch = BatchesPerEpochOf(dataset.Count, options);
        _workers = new Thread[options.Workers];
        for (var w = 0; w < _workers.Length; w++)
        {
            _workers[w] = new Thread(Work) { IsBackground = true, Name = $"InsightFace loader {w}" };
            _workers[w].Start();
        }
    }

    /// <summary>This rank's batches per epoch.</summary>
    public long BatchesPerEpoch { get; }

    /// <summary>The batches per epoch a loader over <paramref name="count"/> samples gives each rank: ⌊⌊N / WorldSize⌋ / BatchSize⌋.</summary>
    public static long BatchesPerEpochOf(int count, TrainingLoaderOptions options) => count / options.WorldSize / options.BatchSize;

    /// <summary>The number of batch buffers allocated so far: it stays flat over an epoch when batches are disposed.</summary>
    internal int BuffersAllocated => _pool.Allocated;

    /// <summary>
    /// This rank's sample indices of <paramref name="epoch"/> in the order they are batched: every WorldSize-th
    /// entry, from Rank on, of the permutation determined by (Seed, epoch). Batch b holds entries b·BatchSize onwards.
    /// </summary>
    public int[] SampleOrder(int epoch)
    {
        var permutation = SeededShuffle.Permutation(_dataset.Count, new SplitMix64(_options.Seed, epoch));
        var order = new int[_dataset.Count / _options.WorldSize];
        for (var k = 0; k < order.Length; k++) order[k] = permutation[_options.Rank + k * _options.WorldSize];
        return order;
    }

    /// <summary>Whether sample <paramref name="index"/> is mirrored in <paramref name="epoch"/>: a hash of (Seed, epoch, index).</summary>
    public bool IsFlipped(int epoch, int index) =>
        _options.RandomFlip && (new SplitMix64(_options.Seed, FlipStream, epoch, index).NextULong() & 1) == 1;

    /// <summary>
    /// The batches of one epoch in order, starting at <paramref name="startBatch"/> (for exact resume). Decoding runs
    /// on the worker threads, at most <see cref="TrainingLoaderOptions.Prefetch"/> batches ahead; the caller's
    /// thread only receives finished batches, which it should dispose.
    /// </summary>
    /// <exception cref="DatasetFormatException">A record cannot be read or its image decoded; the message names its origin, the epoch and the sample.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    public IEnumerable<TrainingBatch> Epoch(int epoch, long startBatch = 0, CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        ArgumentOutOfRangeException.ThrowIfNegative(startBatch);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(startBatch, BatchesPerEpoch);
        return Batches(epoch, startBatch, cancellationToken);
    }

    /// <summary>Stops the worker threads once the jobs in hand are finished.</summary>
    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        _jobs.CompleteAdding();
        foreach (var worker in _workers) worker.Join();
        _jobs.Dispose();
    }

    private IEnumerable<TrainingBatch> Batches(int epoch, long startBatch, CancellationToken cancellationToken)
    {
        var order = SampleOrder(epoch);
        var pending = new Queue<PendingBatch>();
        // Cancelled when the caller stops early, so that the workers skip what nobody will receive.
        using var abandon = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        try
        {
            for (var next = startBatch; ;)
            {
                while (pending.Count < _options.Prefetch && next < BatchesPerEpoch)
                    pending.Enqueue(Schedule(epoch, next++, order, abandon.Token));
                if (pending.Count == 0) yield break;
                var batch = pending.Peek();
                batch.Wait(cancellationToken);
                pending.Dequeue();
                batch.Dispose();
                if (batch.Error is { } error)
                {
                    batch.Batch.Dispose();
                    throw error;
                }
                yield return batch.Batch;
            }
        }
        finally
        {
            abandon.Cancel();
            foreach (var batch in pending)
            {
                batch.Wait();
                batch.Batch.Dispose();
                batch.Dispose();
            }
        }
    }

    private PendingBatch Schedule(int epoch, long index, int[] order, CancellationToken abandoned)
    {
        var batch = new PendingBatch(new TrainingBatch(_pool, epoch, index), abandoned);
        var first = index * _options.BatchSize;
        for (var k = 0; k < _options.BatchSize; k++) _jobs.Add(new ImageJob(batch, k, order[first + k]));
        return batch;
    }

    /// <summary>A worker thread: decodes images of the scheduled batches until the loader is disposed.</summary>
    private void Work()
    {
        var decoder = new FaceImageDecoder(ImageSide, ImageSide);
        foreach (var job in _jobs.GetConsumingEnumerable())
        {
            if (job.Batch.Wanted)
            {
                try
                {
                    Decode(job, decoder);
                }
                catch (Exception e)
                {
                    job.Batch.Fail(e);
                }
            }
            job.Batch.Finished();
        }
    }

    private void Decode(ImageJob job, FaceImageDecoder decoder)
    {
        var batch = job.Batch.Batch;
        var flip = IsFlipped(batch.Epoch, job.Sample);
        string Where() => $"epoch {batch.Epoch}, batch {batch.Index}, sample {job.Sample}";
        try
        {
            // Decoded straight from the dataset's read buffer: no copy of the encoded bytes.
            batch.Labels[job.Position] = _dataset.Read(job.Sample, (image, label) =>
            {
                decoder.DecodeChw(image, FaceImageTransform.ArcFace, batch.Images.AsSpan(job.Position * decoder.ChwLength, decoder.ChwLength), flip);
                return label;
            });
        }
        catch (DatasetFormatException e)
        {
            throw new DatasetFormatException(e.ErrorId, e.FilePath, e.Offset, $"{e.Message} (training {Where()})", e);
        }
        catch (FaceImageDecodeException e)
        {
            // Read it once more, the ordinary way, for the origin the message names: failures are rare.
            var sample = _dataset.Read(job.Sample);
            throw new DatasetFormatException(ErrorIds.DatasetImageUndecodable, sample.Origin, null,
                $"{sample.Origin} ({Where()}): expected an encoded image (JPEG or PNG), found {sample.Image.Length} bytes that do not decode: {e.Message}", e);
        }
    }

    /// <summary>Decode sample <paramref name="Sample"/> into position <paramref name="Position"/> of <paramref name="Batch"/>.</summary>
    private readonly record struct ImageJob(PendingBatch Batch, int Position, int Sample);
}

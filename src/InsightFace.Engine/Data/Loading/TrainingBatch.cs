namespace InsightFace.Engine.Data.Loading;

/// <summary>
/// One batch from <see cref="TrainingLoader"/>: normalised images and their labels. Dispose it when done, which
/// returns its buffers to the loader's pool so that an epoch allocates only a few batches' worth of memory.
/// </summary>
public sealed class TrainingBatch : IDisposable
{
    private readonly BatchBufferPool _pool;
    private int _disposed;

    internal TrainingBatch(BatchBufferPool pool, int epoch, long index)
    {
        _pool = pool;
        (Images, Labels) = pool.Rent();
        Epoch = epoch;
        Index = index;
    }

    /// <summary>Count·3·112·112 floats: each image's CHW planes, RGB, ((x / 255) − 0.5) / 0.5 (<see cref="Imaging.FaceImageTransform.ArcFace"/>).</summary>
    public float[] Images { get; }

    /// <summary>The identity label of each image.</summary>
    public long[] Labels { get; }

    /// <summary>The number of images: always the batch size (the last partial batch of an epoch is dropped).</summary>
    public int Count => Labels.Length;

    /// <summary>The epoch this batch belongs to.</summary>
    public int Epoch { get; }

    /// <summary>The batch's index within the epoch on this rank, 0 .. <see cref="TrainingLoader.BatchesPerEpoch"/> − 1.</summary>
    public long Index { get; }

    /// <summary>Returns the buffers to the loader's pool; the arrays must not be used afterwards.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0) _pool.Return(Images, Labels);
    }
}

using System.Collections.Concurrent;

namespace InsightFace.Engine.Data.Loading;

/// <summary>
/// The image and label arrays of disposed batches, handed out again to new ones: an epoch of any length then
/// allocates only as many batches as are alive at once (the prefetched ones and those the consumer holds).
/// </summary>
internal sealed class BatchBufferPool
{
    private readonly ConcurrentBag<(float[] Images, long[] Labels)> _free = new();
    private readonly int _batchSize;
    private readonly int _imageLength;
    private int _allocated;

    public BatchBufferPool(int batchSize, int imageLength)
    {
        _batchSize = batchSize;
        _imageLength = imageLength;
    }

    /// <summary>The number of batch buffers created so far; it stays flat once an epoch is under way.</summary>
    public int Allocated => _allocated;

    public (float[] Images, long[] Labels) Rent()
    {
        if (_free.TryTake(out var buffers)) return buffers;
        Interlocked.Increment(ref _allocated);
        // Not zeroed: every image and label of a batch is written before the batch is handed out.
        return (GC.AllocateUninitializedArray<float>(_batchSize * _imageLength), new long[_batchSize]);
    }

    public void Return(float[] images, long[] labels) => _free.Add((images, labels));
}

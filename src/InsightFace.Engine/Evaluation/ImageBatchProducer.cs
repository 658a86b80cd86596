using System.Collections.Concurrent;
using System.Runtime.ExceptionServices;
using InsightFace.Engine.Data.Imaging;

namespace InsightFace.Engine.Evaluation;

/// <summary>
/// Decodes a set's images on a background thread into a fixed pool of batch buffers, so that decoding overlaps
/// inference and memory is bounded by the batch size, not the set size. The consumer hands every batch back
/// with <see cref="Release"/>.
/// </summary>
internal sealed class ImageBatchProducer : IDisposable
{
    private readonly string _target;
    private readonly IReadOnlyList<byte[]> _images;
    private readonly FaceImageTransform _transform;
    private readonly int _batchSize;
    private readonly BlockingCollection<ImageBatch> _free = new();
    private readonly BlockingCollection<ImageBatch> _ready = new();
    private readonly CancellationTokenSource _stop;
    private readonly Thread _thread;
    private Exception? _error;

    /// <summary>
    /// Starts decoding the images of <paramref name="target"/> into <paramref name="buffers"/> batch buffers of
    /// <paramref name="batchSize"/> images.
    /// </summary>
    public ImageBatchProducer(string target, IReadOnlyList<byte[]> images, FaceImageTransform transform, int batchSize,
        bool flip, int buffers, CancellationToken cancellationToken)
    {
        _target = target;
        _images = images;
        _transform = transform;
        _batchSize = batchSize;
        for (var i = 0; i < buffers; i++) _free.Add(new ImageBatch(batchSize, flip));
        _stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        _thread = new Thread(Produce) { IsBackground = true, Name = "InsightFace verification decode" };
        _thread.Start();
    }

    /// <summary>The decoded batches in file order; rethrows a decode failure after the batches before it.</summary>
    public IEnumerable<ImageBatch> Batches()
    {
        foreach (var batch in _ready.GetConsumingEnumerable(_stop.Token)) yield return batch;
        if (_error is not null) ExceptionDispatchInfo.Throw(_error);
    }

    /// <summary>Returns a consumed batch's buffers to the pool.</summary>
    public void Release(ImageBatch batch) => _free.Add(batch);

    private void Produce()
    {
        try
        {
            var decoder = new FaceImageDecoder(FaceInput.Size, FaceInput.Size);
            var rgb = new byte[decoder.RgbLength];
            for (var start = 0; start < _images.Count; start += _batchSize)
            {
                var batch = _free.Take(_stop.Token);
                batch.Start = start;
                batch.Count = Math.Min(_batchSize, _images.Count - start);
                for (var i = 0; i < batch.Count; i++) Decode(decoder, rgb, batch, i);
                _ready.Add(batch, _stop.Token);
            }
        }
        catch (OperationCanceledException) { }
        catch (Exception e) { _error = e; }
        finally { _ready.CompleteAdding(); }
    }

    private void Decode(FaceImageDecoder decoder, byte[] rgb, ImageBatch batch, int i)
    {
        var index = batch.Start + i;
        try
        {
            decoder.DecodeRgb(_images[index], rgb);
        }
        catch (FaceImageDecodeException e)
        {
            throw new EvaluationException(ErrorIds.VerificationImageInvalid,
                $"'{_target}': image {index} (pair {index / 2}, {(index % 2 == 0 ? "first" : "second")} image) does not decode: {e.Message} " +
                "Every image is needed: skipping one would change the protocol.", e);
        }
        var offset = i * FaceInput.Floats;
        _transform.ToChw(rgb, FaceInput.Size, FaceInput.Size, batch.Original.AsSpan(offset, FaceInput.Floats), flip: false);
        if (batch.Flipped is not null)
            _transform.ToChw(rgb, FaceInput.Size, FaceInput.Size, batch.Flipped.AsSpan(offset, FaceInput.Floats), flip: true);
    }

    /// <summary>Stops the decode thread and waits for it.</summary>
    public void Dispose()
    {
        _stop.Cancel();
        _thread.Join();
        _stop.Dispose();
        _free.Dispose();
        _ready.Dispose();
    }
}

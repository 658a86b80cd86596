using System.Diagnostics;
using System.Runtime.ExceptionServices;

namespace InsightFace.Engine.Data;

/// <summary>
/// The read side that dataset writers share: reads source records in order, skips (and reports) corrupt or
/// undecodable ones instead of failing, honours cancellation and reports progress a few times a second.
/// Counting is safe from any thread; skips and progress are reported only on the writer's own thread.
/// </summary>
internal sealed class ConversionReader
{
    // Batches start small and grow to about BatchBytes of images: fewer hand-offs between threads (each can cost a
    // scheduler time slice on a busy machine), while memory stays bounded whatever the image size.
    private const int FirstBatchSize = 256, MaxBatchSize = 8192;
    private const long BatchBytes = 8L << 20;
    private static readonly TimeSpan ReportInterval = TimeSpan.FromMilliseconds(250);
    private readonly IFaceDataset _source;
    private readonly IProgress<ConversionProgress>? _progress;
    private readonly Action<SkippedRecord>? _onSkipped;
    private readonly CancellationToken _cancellationToken;
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private TimeSpan _lastReport;
    private int _processed;
    private int _skippedCount;
    private long _bytesWritten;

    public ConversionReader(IFaceDataset source, IProgress<ConversionProgress>? progress, Action<SkippedRecord>? skipped,
        CancellationToken cancellationToken)
    {
        _source = source;
        _progress = progress;
        _onSkipped = skipped;
        _cancellationToken = cancellationToken;
    }

    /// <summary>Records skipped so far.</summary>
    public int Skipped => Volatile.Read(ref _skippedCount);

    /// <summary>
    /// Reads the source records <paramref name="indices"/> and yields, in that order, those that can be read and
    /// decoded, each with its position in <paramref name="indices"/>; the others are reported as skipped. Reads and
    /// header checks dominate a conversion, so batches are read on several threads, the next one while the caller
    /// writes the current one; everything the caller sees, skips and progress included, still happens on its own thread.
    /// </summary>
    public IEnumerable<(int Position, FaceSample Sample)> ReadAll(IReadOnlyList<int> indices)
    {
        var next = indices.Count > 0 ? ReadBatch(indices, 0, FirstBatchSize) : null;
        long bytesRead = 0;
        try
        {
            for (var start = 0; start < indices.Count;)
            {
                var batch = Result(next!);
                var end = start + batch.Length;
                bytesRead += batch.Sum(r => (long)(r.Sample?.Image.Length ?? 0));
                var size = (int)Math.Clamp(BatchBytes * end / Math.Max(bytesRead, 1), FirstBatchSize, MaxBatchSize);
                next = end < indices.Count ? ReadBatch(indices, end, size) : null;
                for (var k = 0; k < batch.Length; k++)
                {
                    Interlocked.Increment(ref _processed);
                    if (batch[k].Sample is { } sample) yield return (start + k, sample);
                    else Skip(indices[start + k], batch[k].Error!);
                }
                start = end;
            }
        }
        finally
        {
            // The caller stopped early (an error, or cancellation): let the batch in flight finish before the
            // source can be disposed. Its own outcome no longer matters.
            try
            {
                next?.Wait();
            }
            catch (AggregateException)
            {
            }
        }
    }

    /// <summary>Counts bytes written and reports progress when it is time to.</summary>
    public void Wrote(long bytes)
    {
        Interlocked.Add(ref _bytesWritten, bytes);
        ReportWhenDue();
    }

    /// <summary>Reports progress if the last report is old enough.</summary>
    public void ReportWhenDue()
    {
        if (_clock.Elapsed - _lastReport >= ReportInterval) Report();
    }

    /// <summary>Reports the current state now (at the end of a conversion).</summary>
    public void Report()
    {
        _lastReport = _clock.Elapsed;
        _progress?.Report(new ConversionProgress(Volatile.Read(ref _processed), _source.Count, Skipped,
            Interlocked.Read(ref _bytesWritten), _lastReport));
    }

    /// <summary>
    /// For writers that read on several threads, from any thread: reads record <paramref name="index"/> and, when it
    /// can be read and its bytes are an image, passes them to <paramref name="write"/>, which returns the bytes it
    /// wrote; otherwise returns why the record is to be skipped (report it with <see cref="Skip"/> on the writer's
    /// thread). The image goes from the source's read buffer to <paramref name="write"/> without a copy of its own.
    /// </summary>
    public DatasetException? TryWrite(int index, FaceImageReader<int> write)
    {
        Interlocked.Increment(ref _processed);
        int written;
        try
        {
            written = _source.Read(index, (image, label) => ImageSize.FromEncoded(image) is null ? -1 : write(image, label));
        }
        catch (DatasetFormatException e)
        {
            return e;
        }
        if (written < 0)
        {
            // Rare: read it once more the ordinary way, for the error that names the record's origin.
            var (sample, error) = TryRead(index);
            if (error is not null) return error;
            written = write(sample!.Image, sample.Label);
        }
        Interlocked.Add(ref _bytesWritten, written);
        return null;
    }

    /// <summary>Reports source record <paramref name="index"/> as skipped because of <paramref name="error"/>.</summary>
    public void Skip(int index, DatasetException error)
    {
        Interlocked.Increment(ref _skippedCount);
        _onSkipped?.Invoke(new SkippedRecord(index, error));
    }

    /// <summary>
    /// Reads one record; a corrupt record or bytes that are not a decodable image give an error instead. Only the
    /// image header is checked, which is cheap: a full decode would cost more than the whole copy.
    /// </summary>
    private (FaceSample?, DatasetException?) TryRead(int index)
    {
        FaceSample sample;
        try
        {
            sample = _source.Read(index);
        }
        catch (DatasetFormatException e)
        {
            return (null, e);
        }
        if (ImageSize.FromEncoded(sample.Image) is null)
            return (null, new DatasetFormatException(ErrorIds.DatasetImageUndecodable, sample.Origin, null,
                $"{sample.Origin} (record {index}): expected an encoded image (JPEG or PNG), found {sample.Image.Length} bytes that do not decode; the record was skipped."));
        return (sample, null);
    }

    private Task<(FaceSample? Sample, DatasetException? Error)[]> ReadBatch(IReadOnlyList<int> indices, int start, int size)
    {
        _cancellationToken.ThrowIfCancellationRequested();
        var batch = new (FaceSample?, DatasetException?)[Math.Min(size, indices.Count - start)];
        return Task.Run(() =>
        {
            Parallel.For(0, batch.Length, new ParallelOptions { CancellationToken = _cancellationToken },
                k => batch[k] = TryRead(indices[start + k]));
            return batch;
        });
    }

    /// <summary>Waits for a batch and rethrows what went wrong as itself, not wrapped in AggregateExceptions.</summary>
    private static T Result<T>(Task<T> task)
    {
        try
        {
            return task.GetAwaiter().GetResult();
        }
        catch (AggregateException e) when (e.InnerExceptions.Count > 0)
        {
            ExceptionDispatchInfo.Throw(e.Flatten().InnerExceptions[0]);
            throw;
        }
    }
}

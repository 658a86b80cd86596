using System.Diagnostics;
using System.Runtime.ExceptionServices;

namespace InsightFace.Engine.Data;

/// <summary>
/// The read side that dataset writers share: reads source records in order, skips (and reports) corrupt or
/// undecodable ones instead of failing, honours cancellation and reports progress a few times a second.
/// </summary>
internal sealed class ConversionReader
{
    private const int BatchSize = 256;
    private static readonly TimeSpan ReportInterval = TimeSpan.FromMilliseconds(250);
    private readonly IFaceDataset _source;
    private readonly IProgress<ConversionProgress>? _progress;
    private readonly Action<SkippedRecord>? _skipped;
    private readonly CancellationToken _cancellationToken;
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private TimeSpan _lastReport;
    private int _processed;
    private long _bytesWritten;

    public ConversionReader(IFaceDataset source, IProgress<ConversionProgress>? progress, Action<SkippedRecord>? skipped,
        CancellationToken cancellationToken)
    {
        _source = source;
        _progress = progress;
        _skipped = skipped;
        _cancellationToken = cancellationToken;
    }

    /// <summary>Records skipped so far.</summary>
    public int Skipped { get; private set; }

    /// <summary>
    /// Reads the source records <paramref name="indices"/> and yields, in that order, those that can be read and
    /// decoded; the others are reported as skipped. Batches are read on several threads (reads and the header check
    /// dominate a conversion), while everything the caller sees, skips and progress included, happens on its thread.
    /// </summary>
    public IEnumerable<(int Index, FaceSample Sample)> ReadAll(IReadOnlyList<int> indices)
    {
        var batch = new (FaceSample? Sample, DatasetException? Error)[BatchSize];
        for (var start = 0; start < indices.Count; start += BatchSize)
        {
            _cancellationToken.ThrowIfCancellationRequested();
            var count = Math.Min(BatchSize, indices.Count - start);
            var first = start;
            try
            {
                Parallel.For(0, count, new ParallelOptions { CancellationToken = _cancellationToken },
                    k => batch[k] = TryRead(indices[first + k]));
            }
            catch (AggregateException e) when (e.InnerExceptions.Count > 0)
            {
                ExceptionDispatchInfo.Throw(e.InnerExceptions[0]);
            }
            for (var k = 0; k < count; k++)
            {
                _processed++;
                if (batch[k].Sample is { } sample) yield return (indices[start + k], sample);
                else Skip(indices[start + k], batch[k].Error!);
                batch[k] = default;
            }
        }
    }

    /// <summary>Counts bytes written and reports progress when it is time to.</summary>
    public void Wrote(long bytes)
    {
        _bytesWritten += bytes;
        if (_clock.Elapsed - _lastReport >= ReportInterval) Report();
    }

    /// <summary>Reports the current state now (at the end of a conversion).</summary>
    public void Report()
    {
        _lastReport = _clock.Elapsed;
        _progress?.Report(new ConversionProgress(_processed, _source.Count, Skipped, _bytesWritten, _lastReport));
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
            return (null, new DatasetFormatException(DatasetErrorIds.DatasetImageUndecodable, sample.Origin, null,
                $"{sample.Origin} (record {index}): expected an encoded image (JPEG or PNG), found {sample.Image.Length} bytes that do not decode; the record was skipped."));
        return (sample, null);
    }

    private void Skip(int index, DatasetException error)
    {
        Skipped++;
        _skipped?.Invoke(new SkippedRecord(index, error));
    }
}

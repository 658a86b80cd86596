using System.Diagnostics;

namespace InsightFace.Engine.Data;

/// <summary>
/// The read side that dataset writers share: reads source records one by one, skips (and reports) corrupt or
/// undecodable ones instead of failing, honours cancellation and reports progress a few times a second.
/// </summary>
internal sealed class ConversionReader
{
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
    /// Reads source record <paramref name="index"/>; null when it is corrupt or its bytes are not a decodable
    /// image (only the header is checked, which is cheap: a full decode would cost more than the copy itself).
    /// </summary>
    public FaceSample? Read(int index)
    {
        _cancellationToken.ThrowIfCancellationRequested();
        _processed++;
        FaceSample sample;
        try
        {
            sample = _source.Read(index);
        }
        catch (DatasetFormatException e)
        {
            Skip(index, e);
            return null;
        }
        if (ImageSize.FromEncoded(sample.Image) is null)
        {
            Skip(index, new DatasetFormatException(DatasetErrorIds.DatasetImageUndecodable, sample.Origin, null,
                $"{sample.Origin} (record {index}): expected an encoded image (JPEG or PNG), found {sample.Image.Length} bytes that do not decode; the record was skipped."));
            return null;
        }
        return sample;
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

    private void Skip(int index, DatasetException error)
    {
        Skipped++;
        _skipped?.Invoke(new SkippedRecord(index, error));
    }
}

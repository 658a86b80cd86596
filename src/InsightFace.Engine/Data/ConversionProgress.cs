namespace InsightFace.Engine.Data;

/// <summary>How far a dataset conversion has got; reported a few times a second and once at the end.</summary>
/// <param name="Processed">Records read so far, written or skipped.</param>
/// <param name="Total">Records in the source.</param>
/// <param name="Skipped">Records skipped because they were corrupt or not decodable.</param>
/// <param name="BytesWritten">Bytes written to the data files so far.</param>
/// <param name="Elapsed">Time since the conversion started.</param>
public sealed record ConversionProgress(int Processed, int Total, int Skipped, long BytesWritten, TimeSpan Elapsed)
{
    /// <summary>Records processed per second so far.</summary>
    public double RecordsPerSecond => Elapsed.TotalSeconds > 0 ? Processed / Elapsed.TotalSeconds : 0;

    /// <summary>The estimated time left at the rate so far; null before the rate is known.</summary>
    public TimeSpan? Remaining => RecordsPerSecond > 0 ? TimeSpan.FromSeconds((Total - Processed) / RecordsPerSecond) : null;

    /// <summary>The fraction done, 0–1.</summary>
    public double Fraction => Total > 0 ? (double)Processed / Total : 1;
}

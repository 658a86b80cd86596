using System.Management.Automation;
using InsightFace.Engine.Data;
using InsightFace.Engine.Data.ImageFolder;

namespace InsightFace.PowerShell.Commands;

/// <summary>
/// What ConvertTo-OFRecord and ConvertTo-FaceRecordIO share: opening the -Dataset they were given, aligning photos
/// with -LandmarksPath, progress with records per second and time left, skipped records as non-terminating errors,
/// and the written dataset as the output object. Every callback runs on the pipeline thread.
/// </summary>
internal sealed class DatasetConversion : IProgress<ConversionProgress>
{
    private readonly InsightFaceCmdlet _cmdlet;
    private readonly string _activity;

    public DatasetConversion(InsightFaceCmdlet cmdlet, string activity)
    {
        _cmdlet = cmdlet;
        _activity = activity;
    }

    /// <summary>The number of records skipped so far.</summary>
    public int Skipped { get; private set; }

    /// <summary>
    /// Opens <paramref name="dataset"/> (its path already resolved as <paramref name="resolvedPath"/>, photos aligned
    /// with <paramref name="landmarksPath"/> when given), runs <paramref name="write"/> on it and writes the dataset it
    /// produced, in <paramref name="written"/> format. The writer removes its partial output when it fails or is
    /// stopped; the cmdlet reports why.
    /// </summary>
    public void Run(FaceDataset dataset, string resolvedPath, string? landmarksPath, DatasetFormat written,
        Func<IFaceDataset, ConversionResult> write)
    {
        using var source = Open(dataset, resolvedPath, landmarksPath);
        _cmdlet.WriteVerbose($"Read {resolvedPath} as {source.Info.Format}: {source.Count:N0} images of {source.NumClasses:N0} identities.");
        Finish(write(source), written);
    }

    private static IFaceDataset Open(FaceDataset dataset, string resolvedPath, string? landmarksPath)
    {
        var source = dataset.Open(resolvedPath);
        if (landmarksPath is null) return source;
        try
        {
            return new AlignedDataset(source, FaceLandmarks.Read(landmarksPath));
        }
        catch
        {
            source.Dispose();
            throw;
        }
    }

    /// <summary>Shows the conversion's progress: records done, records per second and the time left.</summary>
    public void Report(ConversionProgress value)
    {
        var left = value.Remaining is { } remaining ? $", {TimeLeft.Format(remaining)}" : "";
        var record = new ProgressRecord(1, _activity,
            $"{value.Processed:N0} of {value.Total:N0} records, {value.RecordsPerSecond:N0} records/s, {value.Skipped:N0} skipped{left}")
        {
            PercentComplete = (int)Math.Round(100 * value.Fraction),
            RecordType = value.Processed == value.Total ? ProgressRecordType.Completed : ProgressRecordType.Processing,
        };
        _cmdlet.WriteProgress(record);
    }

    /// <summary>Reports one skipped record as a non-terminating error.</summary>
    public void Skip(SkippedRecord skipped)
    {
        Skipped++;
        _cmdlet.WriteError(EngineErrors.ToErrorRecord(skipped.Error, skipped.Error.FilePath));
    }

    /// <summary>Writes a summary of the skipped records, if any, and the new dataset as a FaceDataset.</summary>
    private void Finish(ConversionResult result, DatasetFormat format)
    {
        if (result.Skipped > 0)
            _cmdlet.WriteWarning($"{result.Skipped:N0} records were skipped (see the errors); {result.Records:N0} were written to {result.OutputPath}.");
        if (result.EmptyParts.Count > 0)
            _cmdlet.WriteWarning($"{result.EmptyParts.Count:N0} of the parts hold no record ({result.Records:N0} records were written), " +
                                 $"for example {Path.GetFileName(result.EmptyParts[0])}: a reader that gives each process its own parts can leave one without data. Use -Parts {Math.Max(1, result.Records):N0} or fewer.");
        _cmdlet.WriteVerbose($"Wrote {result.Records:N0} records to {result.OutputPath}: {string.Join(", ", result.Files.Select(Path.GetFileName))}.");
        using var written = DatasetOpener.Open(result.OutputPath, format);
        _cmdlet.WriteObject(FaceDataset.From(DatasetSummary.Of(written)));
    }
}

using System.Globalization;

namespace InsightFace.Engine.Data.OFRecord;

/// <summary>
/// Writes any face dataset as OneFlow OFRecord parts (<c>part-00000</c> …), byte-compatible with OneFlow's own
/// converters and with the Spark OFRecord connector: the JPEG bytes are copied, never re-encoded. The folder
/// becomes a complete dataset: the source's <c>*.bin</c> verification sets and <c>property</c> are copied beside
/// the parts, and <c>_SUCCESS</c> is written last.
/// </summary>
public static class OFRecordWriter
{
    /// <summary>The marker written once every other file is in place.</summary>
    public const string SuccessFileName = "_SUCCESS";

    /// <summary>The name of part <paramref name="index"/>: <c>part-</c> and the number zero-padded to <paramref name="suffixLength"/> digits.</summary>
    public static string PartName(int index, int suffixLength) =>
        OFRecordDataset.PartPrefix + index.ToString(CultureInfo.InvariantCulture).PadLeft(suffixLength, '0');

    /// <summary>
    /// Converts <paramref name="source"/> into <paramref name="outputFolder"/>. Parts are staged and
    /// committed as a unit (see <see cref="StagedOutput"/>), <c>_SUCCESS</c> last, so cancellation or a failure (disk
    /// full) leaves no <c>_SUCCESS</c> and no part. A record that cannot be read or decoded is reported through
    /// <paramref name="skipped"/> and left out.
    /// </summary>
    /// <exception cref="DatasetOutputExistsException">The folder already holds <c>_SUCCESS</c>, parts or other files and <see cref="OFRecordWriteOptions.Force"/> is not set.</exception>
    /// <exception cref="DatasetWriteException">Writing failed; the partial output was removed.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled; the partial output was removed.</exception>
    public static ConversionResult Write(IFaceDataset source, string outputFolder, OFRecordWriteOptions options,
        IProgress<ConversionProgress>? progress = null, Action<SkippedRecord>? skipped = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(options.Parts, 1);
        ArgumentOutOfRangeException.ThrowIfNegative(options.SuffixLength);
        ArgumentOutOfRangeException.ThrowIfNegative(options.Workers);
        var folder = Path.GetFullPath(outputFolder);
        ClaimOutput(folder, options.Force);

        using var output = OutputGuard.Run(folder, () => new StagedOutput(folder));
        var reader = new ConversionReader(source, progress, skipped, cancellationToken);
        var order = options.Shuffle ? SeededShuffle.Permutation(source.Count, options.Seed) : Enumerable.Range(0, source.Count).ToArray();
        var partNames = Enumerable.Range(0, options.Parts).Select(p => PartName(p, options.SuffixLength)).ToArray();
        var perPart = OFRecordPartWorkers.Write(order, [.. partNames.Select(output.StagingPath)],
            OFRecordPartWorkers.Count(options.Workers, options.Parts), reader, cancellationToken);

        var companions = StageCompanions(source, output);
        OutputGuard.Run(output.StagingPath(SuccessFileName), () => File.WriteAllBytes(output.StagingPath(SuccessFileName), []));
        // The old dataset's _SUCCESS and parts go first, so old and new parts are never in the folder together.
        OutputGuard.Run(output.Folder, () => output.Commit(
            withdrawn: OFRecordDataset.FindParts(folder).Select(p => Path.GetFileName(p)).Prepend(SuccessFileName),
            [.. partNames, .. companions, SuccessFileName]));
        reader.Report();
        return new ConversionResult(folder, perPart.Sum(), reader.Skipped,
            [.. partNames.Concat(companions).Append(SuccessFileName).Select(output.FinalPath)])
        {
            EmptyParts = [.. partNames.Where((_, p) => perPart[p] == 0).Select(output.FinalPath)],
        };
    }

    private static void ClaimOutput(string folder, bool force)
    {
        var success = Path.Combine(folder, SuccessFileName);
        var existing = File.Exists(success) ? success : OFRecordDataset.FindParts(folder).FirstOrDefault();
        if (existing is null)
        {
            StagedOutput.RefuseOtherFiles(folder, force);
            return;
        }
        if (!force)
            throw new DatasetOutputExistsException(existing,
                $"{existing}: the folder already holds an OFRecord dataset; expected an empty output folder, or Force to replace it.");
    }

    /// <summary>Stages the source's verification sets and <c>property</c> (written from the source when it has none).</summary>
    private static List<string> StageCompanions(IFaceDataset source, StagedOutput output)
    {
        var names = new List<string>();
        foreach (var bin in source.Info.ValidationTargets)
        {
            var name = Path.GetFileName(bin);
            OutputGuard.Run(output.StagingPath(name), () => File.Copy(bin, output.StagingPath(name)));
            names.Add(name);
        }
        var propertyPath = output.StagingPath(DatasetProperty.FileName);
        if (source.Info.PropertyPath is { } property)
            OutputGuard.Run(propertyPath, () => File.Copy(property, propertyPath));
        else if (source.Info.ImageSize is { } size)
            OutputGuard.Run(propertyPath, () => File.WriteAllText(propertyPath, new DatasetProperty(source.NumClasses, size).ToString()));
        else
            return names;
        names.Add(DatasetProperty.FileName);
        return names;
    }
}

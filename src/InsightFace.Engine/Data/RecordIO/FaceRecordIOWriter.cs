namespace InsightFace.Engine.Data.RecordIO;

/// <summary>
/// Writes a face dataset as <c>train.rec</c>, <c>train.idx</c> and <c>property</c> in InsightFace's layout
/// (<c>face2rec2.py</c>), which arcface_torch's <c>MXFaceDataset</c>, the OneFlow converters and
/// <see cref="RecordIODataset"/> read: image records keys 1..N (flag 2, labels [label, 1 = aligned]), the header
/// record key 0 (labels [N + 1, N + 1 + classes]) and one identity record per class with its [first, end) key
/// range. The image bytes are copied, never re-encoded.
/// </summary>
public static class FaceRecordIOWriter
{
    /// <summary>The data file name.</summary>
    public const string RecFileName = "train.rec";

    /// <summary>The index file name.</summary>
    public const string IdxFileName = "train.idx";

    private const int FileBufferSize = 1 << 20;

    /// <summary>
    /// Converts <paramref name="source"/>, whose images must be sorted by label (an image folder is), into
    /// <paramref name="outputFolder"/>. Files are staged and committed as a unit (see <see cref="StagedOutput"/>):
    /// train.idx is removed first and comes back last, so a train.rec never stands beside an index of another; undecodable records are reported through <paramref name="skipped"/> and left out.
    /// </summary>
    /// <exception cref="DatasetOutputExistsException"><c>train.rec</c> or <c>train.idx</c> exists, or the folder holds other files, and <paramref name="force"/> is false.</exception>
    /// <exception cref="DatasetFormatException">The labels are not sorted (<see cref="ErrorIds.RecordIOLabelsNotSorted"/>).</exception>
    /// <exception cref="DatasetWriteException">Writing failed; the partial output was removed.</exception>
    public static ConversionResult Write(IFaceDataset source, string outputFolder, bool force = false,
        IProgress<ConversionProgress>? progress = null, Action<SkippedRecord>? skipped = null,
        CancellationToken cancellationToken = default)
    {
        var folder = Path.GetFullPath(outputFolder);
        foreach (var name in new[] { RecFileName, IdxFileName })
            if (!force && File.Exists(Path.Combine(folder, name)))
                throw new DatasetOutputExistsException(Path.Combine(folder, name),
                    $"{Path.Combine(folder, name)} already exists; expected an output folder without a RecordIO dataset, or Force to replace it.");
        StagedOutput.RefuseOtherFiles(folder, force);

        using var output = OutputGuard.Run(folder, () => new StagedOutput(folder));
        var reader = new ConversionReader(source, progress, skipped, cancellationToken);
        var (index, images, size) = WriteRec(source, reader, output.StagingPath(RecFileName));

        var idxPath = output.StagingPath(IdxFileName);
        OutputGuard.Run(idxPath, () => File.WriteAllLines(idxPath, index.Select(e => $"{e.Key}\t{e.Offset}")));
        var propertyPath = output.StagingPath(DatasetProperty.FileName);
        var property = new DatasetProperty(source.NumClasses, size ?? source.Info.ImageSize ?? new ImageSize(112, 112));
        OutputGuard.Run(propertyPath, () => File.WriteAllText(propertyPath, property.ToString()));
        var bins = new List<string>();
        foreach (var bin in source.Info.ValidationTargets)
        {
            var name = Path.GetFileName(bin);
            OutputGuard.Run(output.StagingPath(name), () => File.Copy(bin, output.StagingPath(name)));
            bins.Add(name);
        }
        // Readers need train.rec and train.idx to match: the old index goes first, and the new one comes in last.
        OutputGuard.Run(folder, () => output.Commit(
            withdrawn: [IdxFileName, DatasetProperty.FileName],
            [RecFileName, .. bins, DatasetProperty.FileName, IdxFileName]));
        reader.Report();
        return new ConversionResult(folder, images, reader.Skipped,
            [.. new[] { RecFileName, IdxFileName, DatasetProperty.FileName }.Concat(bins).Select(output.FinalPath)]);
    }

    /// <summary>
    /// Writes the records in face2rec2's order (images, header, identities) and returns the index lines in that
    /// order, the number of images and the size of the first one.
    /// </summary>
    private static (List<(int Key, long Offset)> Index, int Images, ImageSize? Size) WriteRec(IFaceDataset source, ConversionReader reader, string recPath)
    {
        var index = new List<(int Key, long Offset)>();
        var classStarts = new int[source.NumClasses + 1];
        ImageSize? size = null;
        var rec = Create(recPath);
        try
        {
            var writer = new RecordIOWriter(rec);
            var key = 1;
            var previousLabel = 0;
            classStarts[0] = key;
            foreach (var (i, sample) in reader.ReadAll(Enumerable.Range(0, source.Count).ToArray()))
            {
                if (sample.Label >= source.NumClasses)
                    throw new DatasetFormatException(ErrorIds.DatasetLabelOutOfRange, sample.Origin, null,
                        $"{sample.Origin} (record {i}): expected a label below the dataset's {source.NumClasses} classes, found {sample.Label}.");
                if (sample.Label < previousLabel)
                    throw new DatasetFormatException(ErrorIds.RecordIOLabelsNotSorted, sample.Origin, null,
                        $"{sample.Origin} (record {i}): expected images sorted by label, as InsightFace's identity records need, found label {sample.Label} after {previousLabel}.");
                // Classes up to this label start here; classes without images get an empty range.
                for (var c = previousLabel + 1; c <= sample.Label; c++) classStarts[c] = key;
                previousLabel = sample.Label;
                size ??= ImageSize.FromEncoded(sample.Image);
                var payload = new IRHeader(0, 0, (ulong)key, 0, [sample.Label, 1f]).Pack(sample.Image);
                index.Add((key, OutputGuard.Run(recPath, () => writer.Write(payload))));
                reader.Wrote(payload.Length + 8);
                key++;
            }
            for (var c = previousLabel + 1; c <= source.NumClasses; c++) classStarts[c] = key;

            var firstIdentityKey = key;
            var header = new IRHeader(0, 0, 0, 0, [firstIdentityKey, firstIdentityKey + source.NumClasses]).Pack([]);
            index.Add((0, OutputGuard.Run(recPath, () => writer.Write(header))));
            for (var c = 0; c < source.NumClasses; c++, key++)
            {
                var identity = new IRHeader(0, 0, (ulong)key, 0, [classStarts[c], classStarts[c + 1]]).Pack([]);
                index.Add((key, OutputGuard.Run(recPath, () => writer.Write(identity))));
            }
            OutputGuard.Run(recPath, () => rec.Flush(flushToDisk: true));
            return (index, firstIdentityKey - 1, size);
        }
        finally
        {
            // Closing flushes what is buffered, which can fail too (disk full): that must name the file as well.
            OutputGuard.Run(recPath, rec.Dispose);
        }
    }

    private static FileStream Create(string path) =>
        OutputGuard.Run(path, () => new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None, FileBufferSize));
}

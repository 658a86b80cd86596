namespace InsightFace.Engine.Data.RecordIO;

/// <summary>
/// An MXNet RecordIO dataset (<c>train.rec</c>, <c>train.idx</c>, <c>property</c>) read the way arcface_torch's
/// <c>MXFaceDataset</c> reads it: when record 0 is an InsightFace header (flag &gt; 0), the images are keys
/// 1 .. label[0] − 1; otherwise (plain im2rec or RecBuilder files) every record of the index, in index order.
/// </summary>
public sealed class RecordIODataset : IFaceDataset
{
    private readonly RecordIOFile _rec;
    private readonly int[] _keys;
    private readonly long[] _offsets;
    private readonly string? _idxPath;
    private readonly DatasetProperty? _property;
    private readonly Lazy<int> _numClasses;

    private RecordIODataset(RecordIOFile rec, string? idxPath, int[] keys, long[] offsets, IRHeader? header,
        DatasetProperty? property, string? propertyPath)
    {
        _rec = rec;
        _idxPath = idxPath;
        _keys = keys;
        _offsets = offsets;
        _property = property;
        Header = header;
        var folder = System.IO.Path.GetDirectoryName(rec.Path)!;
        Info = new DatasetInfo(DatasetFormat.RecordIO, folder, property?.ImageSize ?? SniffImageSize(), 1,
            DatasetFiles.FindValidationTargets(folder), propertyPath);
        _numClasses = new Lazy<int>(CountClasses);
    }

    /// <inheritdoc/>
    public DatasetInfo Info { get; }

    /// <inheritdoc/>
    public int Count => _keys.Length;

    /// <summary>
    /// From <c>property</c>; without it, the identity count of the InsightFace header, or else the largest label
    /// plus one, which reads every record header once.
    /// </summary>
    public int NumClasses => _numClasses.Value;

    /// <summary>The InsightFace header record (key 0, flag &gt; 0), or null for a plain im2rec file.</summary>
    public IRHeader? Header { get; }

    /// <summary>The full path of the <c>.rec</c> file.</summary>
    public string RecPath => _rec.Path;

    /// <summary>
    /// Opens <paramref name="recPath"/>, with the <c>.idx</c> of the same name when it exists (the <c>.rec</c> is
    /// scanned otherwise) and <c>property</c> from the same folder when it exists.
    /// </summary>
    public static RecordIODataset Open(string recPath)
    {
        if (!File.Exists(recPath))
            throw new DatasetNotFoundException(ErrorIds.DatasetNotFound, recPath, $"{recPath}: the RecordIO file does not exist.");
        var rec = RecordIOFile.Open(recPath);
        try
        {
            var idxPath = System.IO.Path.ChangeExtension(rec.Path, ".idx");
            var index = File.Exists(idxPath) ? RecordIOIndex.Read(idxPath, rec) : RecordIOIndex.Scan(rec);
            var indexPath = File.Exists(idxPath) ? idxPath : null;
            var propertyPath = DatasetFiles.FindProperty(System.IO.Path.GetDirectoryName(rec.Path)!);
            var property = propertyPath is null ? null : DatasetProperty.Read(propertyPath);

            var header = ReadInsightFaceHeader(rec, index);
            if (header is null)
                return new RecordIODataset(rec, indexPath, index.Keys, index.Offsets, null, property, propertyPath);

            var firstIdentityKey = (int)header.ExtraLabels[0];
            var keys = new int[Math.Max(firstIdentityKey - 1, 0)];
            var offsets = new long[keys.Length];
            for (var i = 0; i < keys.Length; i++)
            {
                keys[i] = i + 1;
                offsets[i] = index.OffsetOf(keys[i]) ?? throw new DatasetFormatException(ErrorIds.RecordIOKeyMissing,
                    indexPath ?? rec.Path, null,
                    $"{indexPath ?? rec.Path}: the header record says images are keys 1..{firstIdentityKey - 1}, but key {keys[i]} is missing.");
            }
            return new RecordIODataset(rec, indexPath, keys, offsets, header, property, propertyPath);
        }
        catch
        {
            rec.Dispose();
            throw;
        }
    }

    /// <summary>Reads image <paramref name="index"/> with its full IRHeader (flag, label, ids, extra labels).</summary>
    public RecordIORecord ReadRecord(int index)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(index, Count);
        var offset = _offsets[index];
        return AtIndexedOffset(index, () => _rec.ReadRecord(offset, payload =>
        {
            var header = IRHeader.Parse(payload, _rec.Path, offset);
            return new RecordIORecord(_keys[index], offset, header, payload[header.EncodedLength..].ToArray());
        }));
    }

    /// <inheritdoc/>
    public FaceSample Read(int index) =>
        Read(index, (image, label) => new FaceSample(image.ToArray(), label, $"{_rec.Path}@{_offsets[index]}"));

    /// <inheritdoc/>
    /// <remarks>The image is handed out from the pooled read buffer: no array is allocated for it.</remarks>
    public T Read<T>(int index, FaceImageReader<T> read)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(index, Count);
        var offset = _offsets[index];
        // The next record of the index is usually the next in the file: reading up to it fetches this one exactly.
        var next = index + 1 < _offsets.Length ? _offsets[index + 1] : _rec.Length;
        return AtIndexedOffset(index, () => _rec.ReadRecord(offset, payload =>
        {
            var header = IRHeader.Parse(payload, _rec.Path, offset);
            return read(payload[header.EncodedLength..], CheckLabel(header.ClassLabel, offset, _keys[index]));
        }, extent: next - offset));
    }

    /// <inheritdoc/>
    public void Dispose() => _rec.Dispose();

    /// <summary>The first image's size; null when there is none or it is corrupt (that record will report itself when read).</summary>
    private ImageSize? SniffImageSize()
    {
        try
        {
            return Count > 0 ? ImageSize.FromEncoded(ReadRecord(0).Image) : null;
        }
        catch (DatasetFormatException)
        {
            return null;
        }
    }

    private static IRHeader? ReadInsightFaceHeader(RecordIOFile rec, RecordIOIndex index)
    {
        var position = Array.IndexOf(index.Keys, 0);
        if (position < 0) return null;
        var offset = index.Offsets[position];
        var header = IRHeader.ReadFrom(rec, offset);
        if (header.Flag == 0) return null;
        if (header.Flag < 2 || !float.IsFinite(header.ExtraLabels[0]) || header.ExtraLabels[0] < 1 || header.ExtraLabels[0] > int.MaxValue)
            throw new DatasetFormatException(ErrorIds.RecordIOHeaderInvalid, rec.Path, offset,
                $"{rec.Path} at offset {offset}: expected the InsightFace header record (key 0) to hold two labels " +
                $"[first identity key, end], found flag {header.Flag} and labels [{string.Join(", ", header.ExtraLabels)}].");
        return header;
    }

    /// <summary>The class label of the record at <paramref name="offset"/>, checked against <c>property</c> when there is one.</summary>
    private int CheckLabel(float value, long offset, int key)
    {
        var label = ToLabel(value, offset, key);
        if (_property is not null && label >= _property.NumClasses)
            throw new DatasetFormatException(ErrorIds.DatasetLabelOutOfRange, _rec.Path, offset,
                $"{_rec.Path} at offset {offset} (key {key}): expected a label below {_property.NumClasses} " +
                $"as {Info.PropertyPath} says, found {label}.");
        return label;
    }

    private int ToLabel(float value, long offset, int key)
    {
        if (!float.IsFinite(value) || value < 0 || value > int.MaxValue)
            throw new DatasetFormatException(ErrorIds.DatasetLabelOutOfRange, _rec.Path, offset,
                $"{_rec.Path} at offset {offset} (key {key}): expected a non-negative class label, found {value}.");
        return (int)value;
    }

    /// <summary>
    /// Reads at record <paramref name="index"/>'s offset; when the .idx gave that offset and no record starts there,
    /// the error is the index's (it points between records), not the .rec's.
    /// </summary>
    private T AtIndexedOffset<T>(int index, Func<T> read)
    {
        try
        {
            return read();
        }
        catch (DatasetFormatException e) when (_idxPath is not null && e.Offset == _offsets[index]
                                               && e.ErrorId is ErrorIds.RecordIOBadMagic or ErrorIds.RecordIOSplitInvalid)
        {
            throw RecordIOIndex.BetweenRecords(_idxPath, _keys[index], _offsets[index], _rec.Path, e.Message, e);
        }
    }

    private int CountClasses()
    {
        if (_property is not null) return _property.NumClasses;
        if (Header is not null) return (int)(Header.ExtraLabels[1] - Header.ExtraLabels[0]);
        var max = -1;
        for (var i = 0; i < Count; i++)
        {
            var header = AtIndexedOffset(i, () => IRHeader.ReadFrom(_rec, _offsets[i]));
            max = Math.Max(max, ToLabel(header.ClassLabel, _offsets[i], _keys[i]));
        }
        return max + 1;
    }
}

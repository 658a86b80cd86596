using System.Globalization;

namespace InsightFace.Engine.Data.RecordIO;

/// <summary>
/// The record keys and byte offsets of a <c>.rec</c> file, in the order of its <c>.idx</c> (write order;
/// keys need not be sorted), or found by scanning the <c>.rec</c> when there is no <c>.idx</c>.
/// </summary>
internal sealed class RecordIOIndex
{
    private (int[] Keys, long[] Offsets)? _byKey;

    private RecordIOIndex(int[] keys, long[] offsets)
    {
        Keys = keys;
        Offsets = offsets;
    }

    /// <summary>The keys, in file order.</summary>
    public int[] Keys { get; }

    /// <summary>The offset of each key's record, parallel to <see cref="Keys"/>.</summary>
    public long[] Offsets { get; }

    /// <summary>The offset of the record with <paramref name="key"/>, or null when the index has no such key.</summary>
    public long? OffsetOf(int key)
    {
        // Sorted copies cost memory per record, so they are only made for files that are looked up by key.
        if (_byKey is null)
        {
            var (keys, offsets) = ((int[])Keys.Clone(), (long[])Offsets.Clone());
            Array.Sort(keys, offsets);
            _byKey = (keys, offsets);
        }
        var i = Array.BinarySearch(_byKey.Value.Keys, key);
        return i >= 0 ? _byKey.Value.Offsets[i] : null;
    }

    /// <summary>
    /// Reads <paramref name="idxPath"/> (<c>key TAB offset</c> lines). Offsets past the end of <paramref name="rec"/>
    /// or off the 4-byte grid that every record starts on are rejected here; an aligned offset inside a record is
    /// caught when that record is read.
    /// </summary>
    public static RecordIOIndex Read(string idxPath, RecordIOFile rec)
    {
        var keys = new List<int>();
        var offsets = new List<long>();
        var lineNumber = 0;
        foreach (var line in File.ReadLines(idxPath))
        {
            lineNumber++;
            if (line.Length == 0) continue;
            var fields = line.Split('\t');
            if (fields.Length != 2
                || !int.TryParse(fields[0], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var key)
                || !long.TryParse(fields[1].TrimEnd('\r'), NumberStyles.None, CultureInfo.InvariantCulture, out var offset))
                throw new DatasetFormatException(ErrorIds.RecordIOIndexInvalid, idxPath, null,
                    $"{idxPath} line {lineNumber}: expected 'key<TAB>offset' with integer key and offset, found '{line}'.");
            if (offset >= rec.Length)
                throw new DatasetFormatException(ErrorIds.RecordIOIndexPastEnd, idxPath, offset,
                    $"{idxPath} line {lineNumber}: key {key} points at offset {offset}, but {rec.Path} is only {rec.Length} bytes long.");
            if (offset % 4 != 0)
                throw BetweenRecords(idxPath, key, offset, rec.Path, "records start on 4-byte boundaries");
            keys.Add(key);
            offsets.Add(offset);
        }
        return new RecordIOIndex([.. keys], [.. offsets]);
    }

    /// <summary>Builds the index of a <c>.rec</c> without <c>.idx</c>: each record's key is its IRHeader id, as the writers set it.</summary>
    public static RecordIOIndex Scan(RecordIOFile rec)
    {
        var keys = new List<int>();
        var offsets = new List<long>();
        foreach (var offset in rec.ScanRecordOffsets())
        {
            var header = IRHeader.ReadFrom(rec, offset);
            if (header.Id > int.MaxValue)
                throw new DatasetFormatException(ErrorIds.RecordIOHeaderInvalid, rec.Path, offset,
                    $"{rec.Path} at offset {offset}: expected an image id (the record key) below 2^31, found {header.Id}.");
            keys.Add((int)header.Id);
            offsets.Add(offset);
        }
        return new RecordIOIndex([.. keys], [.. offsets]);
    }

    /// <summary>The error for an index entry that does not land on the start of a record.</summary>
    public static DatasetFormatException BetweenRecords(string idxPath, int key, long offset, string recPath, string why, Exception? inner = null) =>
        new(ErrorIds.RecordIOIndexBetweenRecords, idxPath, offset,
            $"{idxPath}: key {key} points at offset {offset} of {recPath}, which is not the start of a record ({why}).", inner);
}

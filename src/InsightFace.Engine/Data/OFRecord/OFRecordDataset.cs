using System.Buffers.Binary;
using Google.Protobuf;
using InsightFace.Engine.Data.OFRecord.Proto;
using Microsoft.Win32.SafeHandles;

namespace InsightFace.Engine.Data.OFRecord;

/// <summary>
/// OneFlow OFRecord parts (<c>part-*</c>, any suffix length): each a plain sequence of
/// <c>int64 little-endian length, serialized oneflow.OFRecord</c>. Opening scans the length prefixes once;
/// records are then read by index. Faces use the features <c>encoded</c> (one JPEG) and <c>label</c>
/// (int32, or int64 from other writers); other keys can be named, and <see cref="ReadFeatures"/> reads any record.
/// </summary>
public sealed class OFRecordDataset : IFaceDataset
{
    /// <summary>The image feature OneFlow's face converters write.</summary>
    public const string DefaultImageKey = "encoded";

    /// <summary>The label feature OneFlow's face converters write.</summary>
    public const string DefaultLabelKey = "label";

    /// <summary>The prefix of part file names.</summary>
    public const string PartPrefix = "part-";

    private const int LengthSize = 8;
    private readonly string[] _partPaths;
    private readonly SafeFileHandle[] _parts;
    private readonly long[] _partLengths;
    private readonly int[] _recordParts;
    private readonly long[] _offsets;
    private readonly DatasetProperty? _property;
    private readonly Lazy<int> _numClasses;

    private OFRecordDataset(string folder, string[] partPaths, SafeFileHandle[] parts, long[] partLengths,
        int[] recordParts, long[] offsets, string imageKey, string labelKey)
    {
        _partPaths = partPaths;
        _parts = parts;
        _partLengths = partLengths;
        _recordParts = recordParts;
        _offsets = offsets;
        ImageKey = imageKey;
        LabelKey = labelKey;
        var propertyPath = DatasetFiles.FindProperty(folder);
        _property = propertyPath is null ? null : DatasetProperty.Read(propertyPath);
        var validation = DatasetFiles.FindValidationTargets(folder)
            .Concat(DatasetFiles.FindValidationTargets(Path.Combine(folder, "..", "val")).Select(Path.GetFullPath))
            .ToArray();
        Info = new DatasetInfo(DatasetFormat.OFRecord, folder, _property?.ImageSize ?? SniffImageSize(), partPaths.Length,
            validation, propertyPath);
        _numClasses = new Lazy<int>(CountClasses);
    }

    /// <inheritdoc/>
    public DatasetInfo Info { get; }

    /// <inheritdoc/>
    public int Count => _offsets.Length;

    /// <summary>From <c>property</c> beside the parts; without it, the largest label plus one, which reads every record.</summary>
    public int NumClasses => _numClasses.Value;

    /// <summary>The feature holding the encoded image.</summary>
    public string ImageKey { get; }

    /// <summary>The feature holding the label.</summary>
    public string LabelKey { get; }

    /// <summary>The part files, in the order their records are numbered.</summary>
    public IReadOnlyList<string> PartPaths => _partPaths;

    /// <summary>
    /// Opens every <c>part-*</c> file in <paramref name="folder"/>, ordered by the number after the prefix, and
    /// checks their framing. <paramref name="imageKey"/> and <paramref name="labelKey"/> name the features
    /// <see cref="Read"/> uses.
    /// </summary>
    public static OFRecordDataset Open(string folder, string imageKey = DefaultImageKey, string labelKey = DefaultLabelKey)
    {
        var root = Path.GetFullPath(folder);
        var partPaths = FindParts(root);
        if (partPaths.Length == 0)
            throw new DatasetNotFoundException(ErrorIds.DatasetNotFound, root, $"{root}: expected OFRecord part files ({PartPrefix}*), found none.");

        var parts = new List<SafeFileHandle>();
        try
        {
            var lengths = new long[partPaths.Length];
            var recordParts = new List<int>();
            var offsets = new List<long>();
            for (var p = 0; p < partPaths.Length; p++)
            {
                parts.Add(File.OpenHandle(partPaths[p], FileMode.Open, FileAccess.Read, FileShare.Read));
                lengths[p] = RandomAccess.GetLength(parts[p]);
                var partOffsets = ScanPart(partPaths[p], parts[p], lengths[p]);
                offsets.AddRange(partOffsets);
                recordParts.AddRange(Enumerable.Repeat(p, partOffsets.Count));
            }
            return new OFRecordDataset(root, partPaths, [.. parts], lengths, [.. recordParts], [.. offsets], imageKey, labelKey);
        }
        catch
        {
            parts.ForEach(h => h.Dispose());
            throw;
        }
    }

    /// <summary>The <c>part-*</c> files of <paramref name="folder"/>, by part number (then name).</summary>
    public static string[] FindParts(string folder) =>
        Directory.Exists(folder)
            ? Directory.GetFiles(folder, PartPrefix + "*")
                .OrderBy(PartNumber)
                .ThenBy(p => p, StringComparer.Ordinal)
                .ToArray()
            : [];

    /// <summary>Reads record <paramref name="index"/> with all its features, whatever their keys.</summary>
    public IReadOnlyDictionary<string, OFRecordFeature> ReadFeatures(int index) =>
        ParseRecord(index).Feature.ToDictionary(e => e.Key, e => new OFRecordFeature(e.Value));

    /// <inheritdoc/>
    public FaceSample Read(int index)
    {
        var record = ParseRecord(index);
        var (path, bodyOffset) = Locate(index);
        var offset = bodyOffset - LengthSize;
        var image = Feature(record, ImageKey, index);
        if (image.KindCase != Proto.Feature.KindOneofCase.BytesList || image.BytesList.Value.Count != 1)
            throw FeatureInvalid(index, $"feature '{ImageKey}' to be a bytes_list with one encoded image, found {Describe(image)}");
        var label = ReadLabel(record, index);
        if (_property is not null && label >= _property.NumClasses)
            throw new DatasetFormatException(ErrorIds.DatasetLabelOutOfRange, path, offset,
                $"{path} at offset {offset} (record {index}): expected a label below {_property.NumClasses} as {Info.PropertyPath} says, found {label}.");
        return new FaceSample(image.BytesList.Value[0].ToByteArray(), label, $"{path}@{offset}");
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        foreach (var part in _parts) part.Dispose();
    }

    private static List<long> ScanPart(string path, SafeFileHandle handle, long length)
    {
        var offsets = new List<long>();
        Span<byte> prefix = stackalloc byte[LengthSize];
        long position = 0;
        while (position < length)
        {
            if (position + LengthSize > length)
                throw new DatasetFormatException(ErrorIds.OFRecordTruncated, path, position,
                    $"{path} at offset {position}: expected an 8-byte record length, but the file ends at {length}; the part is truncated.");
            RandomAccess.Read(handle, prefix, position);
            var size = BinaryPrimitives.ReadInt64LittleEndian(prefix);
            if (size <= 0)
                throw new DatasetFormatException(ErrorIds.OFRecordLengthInvalid, path, position,
                    $"{path} at offset {position}: expected a positive record length, found {size}.");
            if (position + LengthSize + size > length)
                throw new DatasetFormatException(ErrorIds.OFRecordTruncated, path, position,
                    $"{path} at offset {position}: expected a record of {size} bytes, but the file ends at {length}; the part is truncated.");
            offsets.Add(position + LengthSize);
            position += LengthSize + size;
        }
        return offsets;
    }

    private static long PartNumber(string path)
    {
        var name = Path.GetFileName(path).AsSpan(PartPrefix.Length);
        var digits = 0;
        while (digits < name.Length && digits < 18 && char.IsAsciiDigit(name[digits])) digits++;
        return digits > 0 ? long.Parse(name[..digits]) : long.MaxValue;
    }

    private (string Path, long Offset) Locate(int index)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(index, Count);
        return (_partPaths[_recordParts[index]], _offsets[index]);
    }

    private Proto.OFRecord ParseRecord(int index)
    {
        var (path, offset) = Locate(index);
        var part = _recordParts[index];
        // Records are back to back: this one ends where the next one's length prefix starts, or at the end of the part.
        var end = index + 1 < Count && _recordParts[index + 1] == part ? _offsets[index + 1] - LengthSize : _partLengths[part];
        var body = new byte[end - offset];
        RandomAccess.Read(_parts[part], body, offset);
        try
        {
            return Proto.OFRecord.Parser.ParseFrom(body);
        }
        catch (InvalidProtocolBufferException e)
        {
            throw new DatasetFormatException(ErrorIds.OFRecordInvalid, path, offset - LengthSize,
                $"{path} at offset {offset - LengthSize} (record {index}): expected a serialized oneflow.OFRecord of {body.Length} bytes: {e.Message}", e);
        }
    }

    private Feature Feature(Proto.OFRecord record, string key, int index) =>
        record.Feature.TryGetValue(key, out var feature)
            ? feature
            : throw FeatureInvalid(index, $"a feature '{key}', found only [{string.Join(", ", record.Feature.Keys)}]");

    private int ReadLabel(Proto.OFRecord record, int index)
    {
        var feature = new OFRecordFeature(Feature(record, LabelKey, index));
        if (feature.Kind is OFRecordFeatureKind.Bytes or OFRecordFeatureKind.None || feature.Count != 1)
            throw FeatureInvalid(index, $"feature '{LabelKey}' to be one number (int32_list or int64_list), found {Describe(feature.Proto)}");
        var value = feature.Numbers[0];
        if (value < 0 || value > int.MaxValue || value != Math.Floor(value))
            throw FeatureInvalid(index, $"feature '{LabelKey}' to be a non-negative integer class label, found {value}");
        return (int)value;
    }

    private DatasetFormatException FeatureInvalid(int index, string expected)
    {
        var (path, offset) = Locate(index);
        return new DatasetFormatException(ErrorIds.OFRecordFeatureInvalid, path, offset - LengthSize,
            $"{path} at offset {offset - LengthSize} (record {index}): expected {expected}.");
    }

    private static string Describe(Feature feature)
    {
        var view = new OFRecordFeature(feature);
        return view.Kind == OFRecordFeatureKind.None ? "an empty feature" : $"{view.Kind} with {view.Count} value(s)";
    }

    /// <summary>The first image's size; null when there is none or it is corrupt (that record will report itself when read).</summary>
    private ImageSize? SniffImageSize()
    {
        try
        {
            return Count > 0 ? ImageSize.FromEncoded(Read(0).Image) : null;
        }
        catch (DatasetFormatException)
        {
            return null;
        }
    }

    private int CountClasses()
    {
        if (_property is not null) return _property.NumClasses;
        var max = -1;
        for (var i = 0; i < Count; i++) max = Math.Max(max, ReadLabel(ParseRecord(i), i));
        return max + 1;
    }
}

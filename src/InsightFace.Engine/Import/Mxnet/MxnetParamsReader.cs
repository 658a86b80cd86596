using System.Buffers.Binary;
using System.Text;

namespace InsightFace.Engine.Import.Mxnet;

/// <summary>
/// Reads MXNet <c>.params</c> files (an NDArray list, as <c>mx.nd.save</c> and <c>save_checkpoint</c> write them):
/// NDArray V1, V2 and V3 blobs and the legacy encoding, dense arrays of any element type.
/// Layout: shared/docs/reference/formats.md §4.1 (from MXNet's <c>NDArray::Save</c>/<c>Load</c>/<c>LegacyLoad</c>).
/// </summary>
public static class MxnetParamsReader
{
    private const ulong ListMagic = 0x112;
    private const uint V1Magic = 0xF993FAC8;
    private const uint V2Magic = 0xF993FAC9;
    private const uint V3Magic = 0xF993FACA;

    // A legacy blob starts with ndim itself; anything larger is not a shape but an unknown magic.
    private const uint MaxLegacyDims = 32;

    /// <summary>Reads every array with its data.</summary>
    /// <exception cref="MxnetParamsFormatException">The file is truncated or not an NDArray list.</exception>
    public static IReadOnlyList<MxnetArray> Read(string path) => Parse(path, withData: true);

    /// <summary>Lists every array's name, shape and element type without keeping the data (for Get-FaceModelInfo).</summary>
    /// <exception cref="MxnetParamsFormatException">The file is truncated or not an NDArray list.</exception>
    public static IReadOnlyList<MxnetArray> List(string path) => Parse(path, withData: false);

    private static IReadOnlyList<MxnetArray> Parse(string path, bool withData)
    {
        var cursor = new Cursor(path, File.ReadAllBytes(path));

        var headerOffset = cursor.Offset;
        var magic = cursor.UInt64("list magic");
        if (magic != ListMagic)
            throw cursor.Error(ErrorIds.MxnetParamsUnknownMagic, headerOffset,
                $"starts with 0x{magic:X} at offset {headerOffset}; an MXNet NDArray list starts with 0x{ListMagic:X}");
        cursor.UInt64("reserved word");

        var count = cursor.Count("array count");
        var blobs = new List<(long[]? Shape, MxnetDType DType, byte[] Data)>();
        for (long i = 0; i < count; i++) blobs.Add(ReadBlob(cursor, i, withData));

        var namesOffset = cursor.Offset;
        var nameCount = cursor.Count("name count");
        if (nameCount != 0 && nameCount != count)
            throw cursor.Error(ErrorIds.MxnetParamsNameCount, namesOffset,
                $"has {nameCount} names at offset {namesOffset} for {count} arrays; expected 0 or {count}");
        var names = new string[nameCount];
        for (long i = 0; i < nameCount; i++)
        {
            var length = cursor.Count($"length of name {i}");
            names[i] = Encoding.UTF8.GetString(cursor.Bytes(length, $"name {i}"));
        }
        if (cursor.Offset != cursor.Length)
            throw cursor.Error(ErrorIds.MxnetParamsTrailingBytes, cursor.Offset,
                $"has {cursor.Length - cursor.Offset} unexpected bytes after the names list at offset {cursor.Offset}");

        return blobs.Select((b, i) => new MxnetArray(
            nameCount == 0 ? i.ToString(System.Globalization.CultureInfo.InvariantCulture) : names[i],
            b.Shape ?? [], b.DType, b.Data) { IsNone = b.Shape is null }).ToList();
    }

    private static (long[]? Shape, MxnetDType DType, byte[] Data) ReadBlob(Cursor cursor, long index, bool withData)
    {
        var start = cursor.Offset;
        var magic = cursor.UInt32($"magic of array {index}");
        long[]? shape;
        if (magic is V2Magic or V3Magic)
        {
            var stypeOffset = cursor.Offset;
            var stype = cursor.Int32($"storage type of array {index}");
            if (stype != 0)
                throw cursor.Error(ErrorIds.MxnetParamsSparseArray, stypeOffset,
                    $"array {index} has storage type {stype} at offset {stypeOffset}; only dense arrays (0) are supported");
            shape = ReadShape(cursor, index, noneIsMinusOne: magic == V3Magic);
        }
        else if (magic == V1Magic)
        {
            shape = ReadShape(cursor, index, noneIsMinusOne: false);
        }
        else if (magic <= MaxLegacyDims)
        {
            shape = new long[magic];
            for (var d = 0; d < magic; d++) shape[d] = cursor.UInt32($"dimension {d} of array {index}");
            if (shape.Length == 0) shape = null;
        }
        else
        {
            throw cursor.Error(ErrorIds.MxnetParamsUnknownMagic, start,
                $"has unknown NDArray magic 0x{magic:X8} at offset {start} (array {index}); expected 0xF993FAC8/9/A or a legacy ndim of at most {MaxLegacyDims}");
        }
        if (shape is null) return (null, MxnetDType.Float32, []);

        cursor.Int32($"device type of array {index}");
        cursor.Int32($"device id of array {index}");
        var typeOffset = cursor.Offset;
        var dtype = (MxnetDType)cursor.Int32($"type flag of array {index}");
        if (dtype.ElementSize() == 0)
            throw cursor.Error(ErrorIds.MxnetParamsUnknownDType, typeOffset,
                $"array {index} has unknown type flag {(int)dtype} at offset {typeOffset}; expected 0 to 12");

        var size = shape.Aggregate(1L, (n, d) => n * d) * dtype.ElementSize();
        var data = withData ? cursor.Bytes(size, $"data of array {index}") : cursor.Skip(size, $"data of array {index}");
        return (shape, dtype, data);
    }

    private static long[]? ReadShape(Cursor cursor, long index, bool noneIsMinusOne)
    {
        var offset = cursor.Offset;
        var ndim = cursor.Int32($"ndim of array {index}");
        if (noneIsMinusOne ? ndim == -1 : ndim == 0) return null;
        if (ndim < 0 || ndim > MaxLegacyDims)
            throw cursor.Error(ErrorIds.MxnetParamsBadShape, offset, $"array {index} has ndim {ndim} at offset {offset}; expected 0 to {MaxLegacyDims}");
        var shape = new long[ndim];
        for (var d = 0; d < ndim; d++)
        {
            var dimOffset = cursor.Offset;
            shape[d] = cursor.Int64($"dimension {d} of array {index}");
            if (shape[d] < 0)
                throw cursor.Error(ErrorIds.MxnetParamsBadShape, dimOffset, $"array {index} has dimension {shape[d]} at offset {dimOffset}");
        }
        return shape;
    }

    /// <summary>Reads little-endian fields and names the offset of anything missing.</summary>
    private sealed class Cursor(string path, byte[] bytes)
    {
        public long Offset { get; private set; }

        public long Length => bytes.Length;

        public ulong UInt64(string what) => BinaryPrimitives.ReadUInt64LittleEndian(Take(8, what));

        public long Int64(string what) => BinaryPrimitives.ReadInt64LittleEndian(Take(8, what));

        public uint UInt32(string what) => BinaryPrimitives.ReadUInt32LittleEndian(Take(4, what));

        public int Int32(string what) => BinaryPrimitives.ReadInt32LittleEndian(Take(4, what));

        /// <summary>A u64 count that must fit in what is left of the file, so a corrupt count fails here.</summary>
        public long Count(string what)
        {
            var offset = Offset;
            var value = UInt64(what);
            if (value > (ulong)(Length - Offset))
                throw Error(ErrorIds.MxnetParamsTruncated, offset,
                    $"has {what} {value} at offset {offset}, more than the {Length - Offset} bytes left in the file");
            return (long)value;
        }

        public byte[] Bytes(long count, string what) => Take(count, what).ToArray();

        public byte[] Skip(long count, string what)
        {
            Take(count, what);
            return [];
        }

        public MxnetParamsFormatException Error(string errorId, long offset, string detail) =>
            new(errorId, path, offset, $"MXNet params file '{path}' {detail}.");

        private ReadOnlySpan<byte> Take(long count, string what)
        {
            if (count > Length - Offset)
                throw Error(ErrorIds.MxnetParamsTruncated, Offset,
                    $"is truncated: {what} needs {count} bytes at offset {Offset} but the file ends at {Length}");
            var span = new ReadOnlySpan<byte>(bytes, (int)Offset, (int)count);
            Offset += count;
            return span;
        }
    }
}

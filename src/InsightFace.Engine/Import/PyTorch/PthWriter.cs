using System.Buffers.Binary;
using System.IO.Compression;
using System.Text;
using InsightFace.Engine.Export;
using InsightFace.Engine.Files;
using TorchSharp;

namespace InsightFace.Engine.Import.PyTorch;

/// <summary>
/// Writes a state dict as PyTorch's zip format (what <c>torch.save(model.state_dict(), path)</c> writes, and what
/// <c>torch.load</c> reads): <c>data.pkl</c> (pickle protocol 2: an OrderedDict of <c>_rebuild_tensor_v2</c> calls),
/// one <c>data/N</c> record of raw little-endian bytes per tensor, <c>byteorder</c> and <c>version</c>.
/// </summary>
public static class PthWriter
{
    // The file format version torch ≥ 1.6 writes for plain tensors (caffe2/serialize/versions.h kProducedFileFormatVersion).
    private const string FormatVersion = "3\n";

    // Tensors go out this many bytes at a time, however large they are.
    private const long ChunkBytes = 16 << 20;

    /// <summary>Writes <paramref name="stateDict"/> to <paramref name="path"/> through a temporary file.</summary>
    /// <exception cref="OutputExistsException"><paramref name="path"/> exists and <paramref name="overwrite"/> is false.</exception>
    public static void Write(string path, StateDict stateDict, bool overwrite)
    {
        // PyTorch names the archive's folder after the file stem; its reader takes any name.
        var root = Path.GetFileNameWithoutExtension(path) is { Length: > 0 } stem && stem.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '-') ? stem : "archive";
        AtomicFile.Write(path, overwrite, stream =>
        {
            using var archive = new ZipArchive(stream, ZipArchiveMode.Create, leaveOpen: true);
            Record(archive, $"{root}/data.pkl", Pickle(stateDict));
            Record(archive, $"{root}/byteorder", "little"u8.ToArray());
            for (var i = 0; i < stateDict.Count; i++)
            {
                var tensor = stateDict[stateDict.Keys[i]];
                Record(archive, $"{root}/data/{i}", record => WriteElements(record, tensor));
            }
            Record(archive, $"{root}/version", Encoding.ASCII.GetBytes(FormatVersion));
        });
    }

    private static void Record(ZipArchive archive, string name, byte[] data) => Record(archive, name, stream => stream.Write(data));

    private static void Record(ZipArchive archive, string name, Action<Stream> write)
    {
        var entry = archive.CreateEntry(name, CompressionLevel.NoCompression);
        // A fixed time stamp: the same weights always give the same bytes (and the same file hash).
        entry.LastWriteTime = new DateTimeOffset(2000, 1, 1, 0, 0, 0, TimeSpan.Zero);
        using var stream = entry.Open();
        write(stream);
    }

    // The elements in row-major order, a chunk at a time: a tensor of any size (a Partial FC head of a million
    // classes is over 2 GiB, more than one managed array or span holds) goes out without a copy of the whole.
    private static void WriteElements(Stream stream, torch.Tensor tensor)
    {
        using var scope = torch.NewDisposeScope();
        var cpu = tensor.detach().cpu();
        WriteRowMajor(stream, cpu, cpu.ElementSize);
    }

    private static void WriteRowMajor(Stream stream, torch.Tensor tensor, long elementSize)
    {
        if (tensor.NumberOfElements == 0) return;
        if (tensor.is_contiguous())
        {
            using var flat = tensor.view(-1);
            var perChunk = ChunkBytes / elementSize;
            for (long start = 0; start < flat.shape[0]; start += perChunk)
            {
                using var chunk = flat.narrow(0, start, Math.Min(perChunk, flat.shape[0] - start));
                stream.Write(chunk.bytes);
            }
            return;
        }
        // A strided view (transposed, expanded) is made contiguous a block of rows at a time, or row by row when
        // one row is larger than a chunk.
        var rowBytes = tensor.NumberOfElements / tensor.shape[0] * elementSize;
        if (rowBytes > ChunkBytes)
        {
            for (long r = 0; r < tensor.shape[0]; r++)
            {
                using var row = tensor.select(0, r);
                WriteRowMajor(stream, row, elementSize);
            }
            return;
        }
        var rows = ChunkBytes / rowBytes;
        for (long r = 0; r < tensor.shape[0]; r += rows)
        {
            using var block = tensor.narrow(0, r, Math.Min(rows, tensor.shape[0] - r));
            using var contiguous = block.contiguous();
            stream.Write(contiguous.bytes);
        }
    }

    // OrderedDict([(key, _rebuild_tensor_v2(storage, 0, size, stride, False, OrderedDict())), ...])
    private static byte[] Pickle(StateDict stateDict)
    {
        var p = new PickleWriter();
        p.Op(0x80).Byte(2); // PROTO 2
        p.Global("collections", "OrderedDict").Op(')').Op('R');
        p.Op('(');
        for (var i = 0; i < stateDict.Count; i++)
        {
            var key = stateDict.Keys[i];
            var tensor = stateDict[key];
            var shape = tensor.shape;
            p.Unicode(key);
            p.Global("torch._utils", "_rebuild_tensor_v2").Op('(');
            p.Op('(').Unicode("storage").Global("torch", StorageName(tensor.dtype)).Unicode(i.ToString(System.Globalization.CultureInfo.InvariantCulture))
                .Unicode("cpu").Int(tensor.numel()).Op('t').Op('Q'); // BINPERSID
            p.Int(0);
            p.Op('(');
            foreach (var d in shape) p.Int(d);
            p.Op('t').Op('(');
            foreach (var s in ContiguousStrides(shape)) p.Int(s);
            p.Op('t').Op(0x89); // requires_grad False
            p.Global("collections", "OrderedDict").Op(')').Op('R');
            p.Op('t').Op('R');
        }
        p.Op('u').Op('.');
        return p.ToArray();
    }

    private static long[] ContiguousStrides(long[] shape)
    {
        var strides = new long[shape.Length];
        long step = 1;
        for (var d = shape.Length - 1; d >= 0; d--)
        {
            strides[d] = step;
            step *= shape[d];
        }
        return strides;
    }

    private static string StorageName(torch.ScalarType dtype) => dtype switch
    {
        torch.ScalarType.Float32 => "FloatStorage",
        torch.ScalarType.Float64 => "DoubleStorage",
        torch.ScalarType.Float16 => "HalfStorage",
        torch.ScalarType.BFloat16 => "BFloat16Storage",
        torch.ScalarType.Int64 => "LongStorage",
        torch.ScalarType.Int32 => "IntStorage",
        torch.ScalarType.Int16 => "ShortStorage",
        torch.ScalarType.Int8 => "CharStorage",
        torch.ScalarType.Byte => "ByteStorage",
        torch.ScalarType.Bool => "BoolStorage",
        _ => throw new NotSupportedException($"Tensors of type {dtype} cannot be written to a .pth file."),
    };

    /// <summary>Emits pickle opcodes.</summary>
    private sealed class PickleWriter
    {
        private readonly MemoryStream _stream = new();

        public PickleWriter Op(char op) => Byte((byte)op);

        public PickleWriter Op(byte op) => Byte(op);

        public PickleWriter Byte(byte value)
        {
            _stream.WriteByte(value);
            return this;
        }

        public PickleWriter Global(string module, string name)
        {
            Op('c');
            _stream.Write(Encoding.ASCII.GetBytes($"{module}\n{name}\n"));
            return this;
        }

        public PickleWriter Unicode(string text)
        {
            var bytes = Encoding.UTF8.GetBytes(text);
            Span<byte> length = stackalloc byte[4];
            BinaryPrimitives.WriteInt32LittleEndian(length, bytes.Length);
            Op('X');
            _stream.Write(length);
            _stream.Write(bytes);
            return this;
        }

        public PickleWriter Int(long value)
        {
            Span<byte> bytes = stackalloc byte[8];
            if (value is >= int.MinValue and <= int.MaxValue)
            {
                BinaryPrimitives.WriteInt32LittleEndian(bytes, (int)value);
                Op('J');
                _stream.Write(bytes[..4]);
            }
            else
            {
                BinaryPrimitives.WriteInt64LittleEndian(bytes, value);
                Op(0x8a).Byte(8); // LONG1, 8 bytes two's complement
                _stream.Write(bytes);
            }
            return this;
        }

        public byte[] ToArray() => _stream.ToArray();
    }
}

using System.Buffers;
using System.Buffers.Binary;
using Microsoft.Win32.SafeHandles;

namespace InsightFace.Engine.Data.RecordIO;

/// <summary>Uses a record's payload, which is valid only during the call.</summary>
/// <typeparam name="T">What is made of it.</typeparam>
public delegate T PayloadReader<out T>(ReadOnlySpan<byte> payload);

/// <summary>
/// The physical framing of a dmlc/MXNet <c>.rec</c> file: chunks of <c>magic, lrecord, payload, padding</c>,
/// where a record longer than one chunk is split (cflag 1 first, 2 middle, 3 last). Reads are positional,
/// so one instance serves several threads.
/// </summary>
public sealed class RecordIOFile : IDisposable
{
    /// <summary>The magic number that starts every chunk (bytes <c>0A 23 D7 CE</c>).</summary>
    public const uint Magic = 0xCED7230A;

    private const int ChunkHeaderSize = 8;
    private const int MaxGuess = 1 << 20;
    private readonly SafeFileHandle _handle;
    // How many bytes one read fetches in the hope of getting a whole record: grows to fit the records seen.
    private int _guess = 8 << 10;

    private RecordIOFile(string path, SafeFileHandle handle)
    {
        Path = path;
        _handle = handle;
        Length = RandomAccess.GetLength(handle);
    }

    /// <summary>The full path of the file.</summary>
    public string Path { get; }

    /// <summary>The file length in bytes.</summary>
    public long Length { get; }

    /// <summary>Opens <paramref name="path"/> for reading.</summary>
    public static RecordIOFile Open(string path)
    {
        var fullPath = System.IO.Path.GetFullPath(path);
        return new RecordIOFile(fullPath, File.OpenHandle(fullPath, FileMode.Open, FileAccess.Read, FileShare.Read));
    }

    /// <summary>The bytes between two chunks: a chunk is padded with zeros to a multiple of 4.</summary>
    public static int Padding(int length) => (4 - length % 4) % 4;

    /// <summary>
    /// Reads the record that starts at <paramref name="offset"/> and returns its payload, with split chunks joined
    /// and the magic bytes the writer dropped between them put back.
    /// </summary>
    public byte[] ReadRecord(long offset)
    {
        var (cflag, length) = ReadChunkHeader(offset);
        if (cflag == 0) return ReadExactly(offset + ChunkHeaderSize, length);
        if (cflag != 1)
            throw new DatasetFormatException(ErrorIds.RecordIOSplitInvalid, Path, offset,
                $"{Path} at offset {offset}: expected the start of a record (cflag 0 or 1), found a continuation chunk (cflag {cflag}).");

        using var joined = new MemoryStream();
        var position = offset;
        Span<byte> magic = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32LittleEndian(magic, Magic);
        while (true)
        {
            joined.Write(ReadExactly(position + ChunkHeaderSize, length));
            if (cflag == 3) return joined.ToArray();
            joined.Write(magic);
            position += ChunkHeaderSize + length + Padding(length);
            (cflag, length) = ReadChunkHeader(position);
            if (cflag is not (2 or 3))
                throw new DatasetFormatException(ErrorIds.RecordIOSplitInvalid, Path, position,
                    $"{Path} at offset {position}: expected the next chunk of the split record at offset {offset} (cflag 2 or 3), found cflag {cflag}.");
        }
    }

    /// <summary>
    /// Reads the record at <paramref name="offset"/> and returns what <paramref name="read"/> makes of its payload.
    /// A record in one chunk (the usual case) costs one read, of the chunk header and payload together, into a
    /// pooled buffer; split records and records longer than the guess fall back to <see cref="ReadRecord(long)"/>.
    /// <paramref name="extent"/>, when known, is the distance to the next record in the file: the read then fetches
    /// this record and nothing more (0: unknown, the guess is used).
    /// </summary>
    public T ReadRecord<T>(long offset, PayloadReader<T> read, long extent = 0)
    {
        var wanted = extent is > ChunkHeaderSize and <= MaxGuess ? (int)extent : ChunkHeaderSize + Volatile.Read(ref _guess);
        var guess = (int)Math.Min(wanted, Length - offset);
        if (guess >= ChunkHeaderSize)
        {
            var buffer = ArrayPool<byte>.Shared.Rent(guess);
            try
            {
                var got = RandomAccess.Read(_handle, buffer.AsSpan(0, guess), offset);
                if (got >= ChunkHeaderSize)
                {
                    var (cflag, length) = ParseChunkHeader(buffer, offset);
                    if (cflag == 0 && ChunkHeaderSize + length <= got) return read(buffer.AsSpan(ChunkHeaderSize, length));
                    if (cflag == 0 && length < MaxGuess) Volatile.Write(ref _guess, Math.Max(Volatile.Read(ref _guess), length + length / 4));
                }
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(buffer);
            }
        }
        return read(ReadRecord(offset));
    }

    /// <summary>
    /// Reads the first <paramref name="count"/> payload bytes of the record at <paramref name="offset"/> (fewer when
    /// the payload is shorter) without reading the rest, so scanning a large file stays cheap.
    /// </summary>
    public byte[] ReadRecordPrefix(long offset, int count)
    {
        var (cflag, length) = ReadChunkHeader(offset);
        if (cflag == 0 || (cflag == 1 && length >= count))
            return ReadExactly(offset + ChunkHeaderSize, Math.Min(count, length));
        var record = ReadRecord(offset);
        return record.Length <= count ? record : record[..count];
    }

    /// <summary>
    /// Walks the whole file chunk by chunk and returns the offset of every record, checking the framing on the way:
    /// how a <c>.rec</c> without its <c>.idx</c> is read.
    /// </summary>
    public IEnumerable<long> ScanRecordOffsets()
    {
        long position = 0, splitStart = -1;
        while (position < Length)
        {
            var (cflag, length) = ReadChunkHeader(position);
            var expectingContinuation = splitStart >= 0;
            if ((cflag is 0 or 1) == expectingContinuation)
                throw new DatasetFormatException(ErrorIds.RecordIOSplitInvalid, Path, position,
                    expectingContinuation
                        ? $"{Path} at offset {position}: expected the next chunk of the split record at offset {splitStart} (cflag 2 or 3), found cflag {cflag}."
                        : $"{Path} at offset {position}: expected the start of a record (cflag 0 or 1), found a continuation chunk (cflag {cflag}).");
            if (cflag == 0) yield return position;
            if (cflag == 1) splitStart = position;
            if (cflag == 3)
            {
                yield return splitStart;
                splitStart = -1;
            }
            position += ChunkHeaderSize + length + Padding(length);
        }
        if (splitStart >= 0)
            throw Truncated(Length, $"the split record at offset {splitStart} to continue, but the file ends");
    }

    /// <inheritdoc/>
    public void Dispose() => _handle.Dispose();

    private (int Cflag, int Length) ReadChunkHeader(long offset)
    {
        Span<byte> header = stackalloc byte[ChunkHeaderSize];
        if (offset + ChunkHeaderSize > Length)
            throw Truncated(offset, $"an {ChunkHeaderSize}-byte chunk header, but the file ends at {Length}");
        RandomAccess.Read(_handle, header, offset);
        return ParseChunkHeader(header, offset);
    }

    /// <summary>Checks the chunk header in <paramref name="header"/>, read at <paramref name="offset"/>: its magic and that its chunk fits the file.</summary>
    private (int Cflag, int Length) ParseChunkHeader(ReadOnlySpan<byte> header, long offset)
    {
        var magic = BinaryPrimitives.ReadUInt32LittleEndian(header);
        if (magic != Magic)
            throw new DatasetFormatException(ErrorIds.RecordIOBadMagic, Path, offset,
                $"{Path} at offset {offset}: expected the RecordIO magic 0x{Magic:X8}, found 0x{magic:X8}.");
        var lrecord = BinaryPrimitives.ReadUInt32LittleEndian(header[4..]);
        var cflag = (int)(lrecord >> 29);
        var length = (int)(lrecord & 0x1FFFFFFF);
        if (offset + ChunkHeaderSize + length > Length)
            throw Truncated(offset, $"a chunk of {length} bytes after the header, but the file ends at {Length}");
        return (cflag, length);
    }

    private byte[] ReadExactly(long offset, int count)
    {
        var buffer = new byte[count];
        var read = 0;
        while (read < count)
        {
            var n = RandomAccess.Read(_handle, buffer.AsSpan(read), offset + read);
            if (n == 0) throw Truncated(offset, $"{count} bytes, but the file ended (was it truncated while open?)");
            read += n;
        }
        return buffer;
    }

    private DatasetFormatException Truncated(long offset, string expected) =>
        new(ErrorIds.RecordIOTruncated, Path, offset, $"{Path} at offset {offset}: expected {expected}; the file is truncated.");
}

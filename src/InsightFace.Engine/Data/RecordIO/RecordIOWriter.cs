using System.Buffers.Binary;

namespace InsightFace.Engine.Data.RecordIO;

/// <summary>
/// Writes dmlc/MXNet RecordIO framing to a stream, as <c>dmlc::RecordIOWriter</c> does: wherever the payload holds
/// the magic number at a 4-byte-aligned position, the record is split there (cflag 1/2/3) and those 4 bytes are
/// dropped, so a reader can always resynchronise on the magic; every chunk is padded to 4 bytes.
/// </summary>
public sealed class RecordIOWriter
{
    private readonly Stream _stream;

    /// <summary>Writes to <paramref name="stream"/>, starting at its current position.</summary>
    public RecordIOWriter(Stream stream) => _stream = stream;

    /// <summary>
    /// Writes one record and returns its offset (what <c>.idx</c> stores). Payloads must be smaller than 2^29 bytes.
    /// </summary>
    public long Write(ReadOnlySpan<byte> payload)
    {
        if (payload.Length >= 1 << 29)
            throw new ArgumentException($"A RecordIO record must be smaller than 2^29 bytes; this one has {payload.Length}.", nameof(payload));
        var offset = _stream.Position;
        var chunkStart = 0;
        for (var i = 0; i + 4 <= payload.Length; i += 4)
        {
            if (BinaryPrimitives.ReadUInt32LittleEndian(payload[i..]) != RecordIOFile.Magic) continue;
            WriteChunk(chunkStart == 0 ? 1 : 2, payload[chunkStart..i]);
            chunkStart = i + 4;
        }
        WriteChunk(chunkStart == 0 ? 0 : 3, payload[chunkStart..]);
        return offset;
    }

    private void WriteChunk(int cflag, ReadOnlySpan<byte> chunk)
    {
        Span<byte> header = stackalloc byte[8];
        BinaryPrimitives.WriteUInt32LittleEndian(header, RecordIOFile.Magic);
        BinaryPrimitives.WriteUInt32LittleEndian(header[4..], (uint)cflag << 29 | (uint)chunk.Length);
        _stream.Write(header);
        _stream.Write(chunk);
        Span<byte> padding = stackalloc byte[4];
        padding.Clear();
        _stream.Write(padding[..RecordIOFile.Padding(chunk.Length)]);
    }
}

using System.Buffers.Binary;

namespace InsightFace.Engine.Tests.Data.RecordIO;

/// <summary>Builds .rec bytes by hand from formats.md §2, independently of the engine's writer.</summary>
public static class RawRecordIO
{
    public const uint Magic = 0xCED7230A;

    /// <summary>One chunk: magic, lrecord (cflag in the top 3 bits), the data, zero padding to 4 bytes.</summary>
    public static byte[] Chunk(int cflag, byte[] data, uint magic = Magic)
    {
        var padded = (data.Length + 3) / 4 * 4;
        var bytes = new byte[8 + padded];
        BinaryPrimitives.WriteUInt32LittleEndian(bytes, magic);
        BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(4), (uint)cflag << 29 | (uint)data.Length);
        data.CopyTo(bytes, 8);
        return bytes;
    }

    /// <summary>An IRHeader ('IfQQ') plus extra float labels plus the image.</summary>
    public static byte[] Payload(uint flag, float label, ulong id, float[] extra, byte[] image)
    {
        var bytes = new byte[24 + 4 * extra.Length + image.Length];
        BinaryPrimitives.WriteUInt32LittleEndian(bytes, flag);
        BinaryPrimitives.WriteSingleLittleEndian(bytes.AsSpan(4), label);
        BinaryPrimitives.WriteUInt64LittleEndian(bytes.AsSpan(8), id);
        for (var i = 0; i < extra.Length; i++) BinaryPrimitives.WriteSingleLittleEndian(bytes.AsSpan(24 + 4 * i), extra[i]);
        image.CopyTo(bytes, 24 + 4 * extra.Length);
        return bytes;
    }

    /// <summary>Writes complete (cflag 0) records and an idx with keys 0..n-1; returns the record offsets.</summary>
    public static long[] Write(string recPath, string? idxPath, params byte[][] payloads)
    {
        var offsets = new long[payloads.Length];
        using (var rec = File.Create(recPath))
            for (var i = 0; i < payloads.Length; i++)
            {
                offsets[i] = rec.Position;
                rec.Write(Chunk(0, payloads[i]));
            }
        if (idxPath is not null)
            File.WriteAllLines(idxPath, offsets.Select((o, i) => $"{i}\t{o}"));
        return offsets;
    }

    public static byte[] Concat(params byte[][] parts) => parts.SelectMany(p => p).ToArray();
}

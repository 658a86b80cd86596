using System.Buffers.Binary;

namespace InsightFace.Engine.Data.RecordIO;

/// <summary>
/// MXNet's image-record header at the start of every RecordIO payload (<c>struct.pack('IfQQ')</c>, 24 bytes),
/// followed by <see cref="Flag"/> extra float labels when the flag is positive.
/// </summary>
/// <param name="Flag">0: <see cref="Label"/> is the label; N &gt; 0: N float labels follow the header.</param>
/// <param name="Label">The scalar label (0 when the flag is positive).</param>
/// <param name="Id">The image id; the record's key in InsightFace and im2rec files.</param>
/// <param name="Id2">Reserved, normally 0.</param>
/// <param name="ExtraLabels">The <see cref="Flag"/> float labels; empty when the flag is 0.</param>
public sealed record IRHeader(uint Flag, float Label, ulong Id, ulong Id2, float[] ExtraLabels)
{
    /// <summary>The size of the fixed part in bytes.</summary>
    public const int Size = 24;

    /// <summary>The bytes this header takes in a payload, extra labels included.</summary>
    public int EncodedLength => Size + 4 * ExtraLabels.Length;

    /// <summary>The class label as InsightFace reads it: <see cref="Label"/>, or the first extra label.</summary>
    public float ClassLabel => ExtraLabels.Length > 0 ? ExtraLabels[0] : Label;

    /// <summary>
    /// Parses the header at the start of <paramref name="payload"/>; <paramref name="path"/> and
    /// <paramref name="offset"/> (the record's position) only serve the error message.
    /// </summary>
    public static IRHeader Parse(ReadOnlySpan<byte> payload, string path, long offset)
    {
        if (payload.Length < Size)
            throw Invalid(path, offset, $"a {Size}-byte IRHeader, but the payload has only {payload.Length} bytes");
        var flag = BinaryPrimitives.ReadUInt32LittleEndian(payload);
        if ((long)Size + 4L * flag > payload.Length)
            throw Invalid(path, offset, $"{flag} extra float labels after the IRHeader, but the payload has only {payload.Length} bytes");
        var extra = new float[flag];
        for (var i = 0; i < extra.Length; i++)
            extra[i] = BinaryPrimitives.ReadSingleLittleEndian(payload[(Size + 4 * i)..]);
        return new IRHeader(
            flag,
            BinaryPrimitives.ReadSingleLittleEndian(payload[4..]),
            BinaryPrimitives.ReadUInt64LittleEndian(payload[8..]),
            BinaryPrimitives.ReadUInt64LittleEndian(payload[16..]),
            extra);
    }

    /// <summary>
    /// Reads only the header of the record at <paramref name="offset"/>, not its image: two short reads,
    /// the fixed part and then the extra labels it announces.
    /// </summary>
    public static IRHeader ReadFrom(RecordIOFile rec, long offset)
    {
        var prefix = rec.ReadRecordPrefix(offset, Size);
        var flag = prefix.Length >= 4 ? BinaryPrimitives.ReadUInt32LittleEndian(prefix) : 0;
        if (flag > 0 && flag < int.MaxValue / 4 - Size) prefix = rec.ReadRecordPrefix(offset, Size + 4 * (int)flag);
        return Parse(prefix, rec.Path, offset);
    }

    /// <summary>
    /// MXNet's <c>recordio.pack</c>: this header, its extra labels, then <paramref name="image"/>. As in MXNet,
    /// <see cref="Flag"/> is written as the number of extra labels and <see cref="Label"/> as 0 when there are any.
    /// </summary>
    public byte[] Pack(ReadOnlySpan<byte> image)
    {
        var payload = new byte[EncodedLength + image.Length];
        var span = payload.AsSpan();
        BinaryPrimitives.WriteUInt32LittleEndian(span, (uint)ExtraLabels.Length);
        BinaryPrimitives.WriteSingleLittleEndian(span[4..], ExtraLabels.Length > 0 ? 0f : Label);
        BinaryPrimitives.WriteUInt64LittleEndian(span[8..], Id);
        BinaryPrimitives.WriteUInt64LittleEndian(span[16..], Id2);
        for (var i = 0; i < ExtraLabels.Length; i++)
            BinaryPrimitives.WriteSingleLittleEndian(span[(Size + 4 * i)..], ExtraLabels[i]);
        image.CopyTo(span[EncodedLength..]);
        return payload;
    }

    private static DatasetFormatException Invalid(string path, long offset, string expected) =>
        new(ErrorIds.RecordIOHeaderInvalid, path, offset, $"{path} at offset {offset}: expected {expected}.");
}

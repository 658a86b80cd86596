using System.Buffers.Binary;
using InsightFace.Engine.Files;

namespace InsightFace.Engine.Data.Verification;

/// <summary>
/// Writes a verification set as the <c>.bin</c> pickle that InsightFace's <c>verification.py</c> loads:
/// protocol 2, a 2-tuple of (list of image bytes, list of bools).
/// </summary>
/// <remarks>
/// Each image is written the way Python 3 pickles <c>bytes</c> at protocol 2, <c>_codecs.encode(text, 'latin1')</c>,
/// so that a plain <c>pickle.load</c> in Python 3, <c>encoding='bytes'</c> loaders and Python 2 all get bytes back.
/// The price is that bytes from 0x80 up take two bytes in the file.
/// </remarks>
public static class VerificationBinWriter
{
    private const byte Proto = 0x80, EmptyList = (byte)']', Mark = (byte)'(', Appends = (byte)'e', Global = (byte)'c',
        BinPut = (byte)'q', BinGet = (byte)'h', BinUnicode = (byte)'X', Tuple2 = 0x86, Reduce = (byte)'R',
        NewTrue = 0x88, NewFalse = 0x89, Stop = (byte)'.';
    private const byte EncodeMemo = 0, Latin1Memo = 1;

    /// <summary>
    /// Writes <paramref name="set"/> to <paramref name="path"/> whole or not at all (see <see cref="AtomicFile"/>).
    /// An existing file is replaced only when <paramref name="overwrite"/> is true; a failed write (disk full,
    /// permissions) is a <see cref="ErrorIds.VerificationBinWriteFailed"/> error and leaves no partial file.
    /// </summary>
    public static void Write(string path, VerificationSet set, bool overwrite = false)
    {
        var full = Path.GetFullPath(path);
        try
        {
            AtomicFile.Write(full, overwrite, stream => WritePickle(stream, set), () =>
                new VerificationSetException(ErrorIds.VerificationBinExists, full, $"{full}: the file exists; pass overwrite (-Force) to replace it."));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new VerificationSetException(ErrorIds.VerificationBinWriteFailed, full, $"Writing {full} failed: {e.Message}", e);
        }
    }

    private static void WritePickle(Stream output, VerificationSet set)
    {
        output.Write([Proto, 2, EmptyList]);
        if (set.Images.Count > 0)
        {
            output.WriteByte(Mark);
            for (var i = 0; i < set.Images.Count; i++)
                WriteBytes(output, set.Images[i], first: i == 0);
            output.WriteByte(Appends);
        }

        output.WriteByte(EmptyList);
        if (set.Pairs > 0)
        {
            output.WriteByte(Mark);
            foreach (var same in set.IsSame) output.WriteByte(same ? NewTrue : NewFalse);
            output.WriteByte(Appends);
        }
        output.Write([Tuple2, Stop]);
    }

    /// <summary>Writes <c>_codecs.encode(latin1_text, 'latin1')</c>; the global and 'latin1' are memoised once.</summary>
    private static void WriteBytes(Stream output, byte[] data, bool first)
    {
        if (first)
        {
            output.WriteByte(Global);
            output.Write("_codecs\nencode\n"u8);
            output.Write([BinPut, EncodeMemo]);
        }
        else output.Write([BinGet, EncodeMemo]);

        WriteLatin1AsUtf8(output, data);

        if (first)
        {
            WriteUnicode(output, "latin1"u8);
            output.Write([BinPut, Latin1Memo]);
        }
        else output.Write([BinGet, Latin1Memo]);
        output.Write([Tuple2, Reduce]);
    }

    private static void WriteLatin1AsUtf8(Stream output, byte[] data)
    {
        // Each byte is one Latin-1 character: below 0x80 one UTF-8 byte, otherwise two.
        var utf8 = new byte[data.Length + data.Count(b => b >= 0x80)];
        var n = 0;
        foreach (var b in data)
        {
            if (b < 0x80) utf8[n++] = b;
            else
            {
                utf8[n++] = (byte)(0xC0 | (b >> 6));
                utf8[n++] = (byte)(0x80 | (b & 0x3F));
            }
        }
        WriteUnicode(output, utf8);
    }

    private static void WriteUnicode(Stream output, ReadOnlySpan<byte> utf8)
    {
        Span<byte> header = stackalloc byte[5];
        header[0] = BinUnicode;
        BinaryPrimitives.WriteUInt32LittleEndian(header[1..], (uint)utf8.Length);
        output.Write(header);
        output.Write(utf8);
    }
}

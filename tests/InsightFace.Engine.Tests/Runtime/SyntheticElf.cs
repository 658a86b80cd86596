using System.Buffers.Binary;
using System.Text;

namespace InsightFace.Engine.Tests.Runtime;

/// <summary>
/// Writes the smallest ELF64 file with a .gnu.version_r section: header, .dynstr, the version-need table and
/// section headers. It records where each vna_flags field lands, so tests know which bytes may change.
/// </summary>
internal sealed class SyntheticElf
{
    private readonly Dictionary<string, int> _flagsOffsets = new();

    private SyntheticElf(byte[] bytes) => Bytes = bytes;

    public byte[] Bytes { get; }

    public int FlagsOffset(string version) => _flagsOffsets[version];

    public static SyntheticElf Build(params (string File, string[] Versions)[] needs)
    {
        var strings = new MemoryStream();
        strings.WriteByte(0);
        int Intern(string s)
        {
            var at = (int)strings.Position;
            strings.Write(Encoding.ASCII.GetBytes(s));
            strings.WriteByte(0);
            return at;
        }

        var fileNames = needs.Select(n => Intern(n.File)).ToArray();
        var versionNames = needs.Select(n => n.Versions.Select(Intern).ToArray()).ToArray();
        var dynstr = strings.ToArray();
        var shstrtab = Encoding.ASCII.GetBytes("\0.dynstr\0.gnu.version_r\0.shstrtab\0");

        const int header = 64;
        var dynstrOffset = header;
        var verneedOffset = Align(dynstrOffset + dynstr.Length, 8);
        var verneedSize = needs.Sum(n => 16 + 16 * n.Versions.Length);
        var shstrOffset = verneedOffset + verneedSize;
        var shoff = Align(shstrOffset + shstrtab.Length, 8);
        var bytes = new byte[shoff + 4 * 64];
        var elf = new SyntheticElf(bytes);

        "\x7f"u8.CopyTo(bytes);
        "ELF"u8.CopyTo(bytes.AsSpan(1));
        bytes[4] = 2; // ELFCLASS64
        bytes[5] = 1; // little-endian
        bytes[6] = 1; // EV_CURRENT
        U16(bytes, 0x10, 3); // ET_DYN
        U16(bytes, 0x12, 62); // x86-64
        U32(bytes, 0x14, 1);
        U64(bytes, 0x28, (ulong)shoff);
        U16(bytes, 0x34, header);
        U16(bytes, 0x3A, 64);
        U16(bytes, 0x3C, 4);
        U16(bytes, 0x3E, 3);

        dynstr.CopyTo(bytes, dynstrOffset);
        shstrtab.CopyTo(bytes, shstrOffset);

        var at = verneedOffset;
        ushort index = 2;
        for (var n = 0; n < needs.Length; n++)
        {
            var count = needs[n].Versions.Length;
            var last = n == needs.Length - 1;
            U16(bytes, at, 1);
            U16(bytes, at + 2, (ushort)count);
            U32(bytes, at + 4, (uint)fileNames[n]);
            U32(bytes, at + 8, 16);
            U32(bytes, at + 12, last ? 0u : (uint)(16 + 16 * count));
            var aux = at + 16;
            for (var a = 0; a < count; a++)
            {
                U32(bytes, aux, 0x0b792650u + (uint)a);
                U16(bytes, aux + 4, 0);
                U16(bytes, aux + 6, index++);
                U32(bytes, aux + 8, (uint)versionNames[n][a]);
                U32(bytes, aux + 12, a == count - 1 ? 0u : 16u);
                elf._flagsOffsets[needs[n].Versions[a]] = aux + 4;
                aux += 16;
            }
            at = aux;
        }

        Section(bytes, shoff + 64, name: 1, type: 3, offset: dynstrOffset, size: dynstr.Length, link: 0, info: 0);
        Section(bytes, shoff + 128, name: 9, type: 0x6ffffffe, offset: verneedOffset, size: verneedSize, link: 1, info: needs.Length);
        Section(bytes, shoff + 192, name: 24, type: 3, offset: shstrOffset, size: shstrtab.Length, link: 0, info: 0);
        return elf;
    }

    private static void Section(byte[] b, int at, int name, uint type, int offset, int size, int link, int info)
    {
        U32(b, at, (uint)name);
        U32(b, at + 4, type);
        U64(b, at + 0x18, (ulong)offset);
        U64(b, at + 0x20, (ulong)size);
        U32(b, at + 0x28, (uint)link);
        U32(b, at + 0x2C, (uint)info);
    }

    private static int Align(int value, int to) => (value + to - 1) / to * to;
    private static void U16(byte[] b, int at, ushort v) => BinaryPrimitives.WriteUInt16LittleEndian(b.AsSpan(at), v);
    private static void U32(byte[] b, int at, uint v) => BinaryPrimitives.WriteUInt32LittleEndian(b.AsSpan(at), v);
    private static void U64(byte[] b, int at, ulong v) => BinaryPrimitives.WriteUInt64LittleEndian(b.AsSpan(at), v);
}

using System;
using System.IO;
using Microsoft.Build.Framework;
using Microsoft.Build.Utilities;

/// <summary>
/// MSBuild task: marks one symbol-version requirement of ELF shared libraries as weak.
/// </summary>
/// <remarks>
/// TorchSharp 0.107's libLibTorchSharp.so was linked on a newer OS and requires GLIBCXX_3.4.32, which Debian 12's
/// libstdc++ lacks. Only std::ios_base_library_init needs it and that symbol is never called, so setting
/// VER_FLG_WEAK on the vernaux entry lets ld.so load the library with a note instead of an error. On a system
/// whose libstdc++ has the version, a weak requirement behaves exactly like a strong one.
/// </remarks>
public sealed class WeakenVersionNeed : Microsoft.Build.Utilities.Task
{
    /// <summary>The libraries to patch in place.</summary>
    [Required]
    public ITaskItem[] Files { get; set; } = Array.Empty<ITaskItem>();

    /// <summary>The version name whose requirement becomes weak, for example GLIBCXX_3.4.32.</summary>
    [Required]
    public string Version { get; set; } = "";

    /// <inheritdoc />
    public override bool Execute()
    {
        foreach (var item in Files)
        {
            try
            {
                var outcome = ElfVersionNeed.Weaken(item.ItemSpec, Version);
                Log.LogMessage(MessageImportance.Low, $"{item.ItemSpec}: {Version} {outcome}");
            }
            catch (InvalidDataException e)
            {
                Log.LogError($"{item.ItemSpec}: {e.Message}");
            }
        }
        return !Log.HasLoggedErrors;
    }
}

/// <summary>What <see cref="ElfVersionNeed.Weaken"/> found and did.</summary>
public enum VersionNeedOutcome
{
    /// <summary>The requirement was strong and is now weak.</summary>
    Weakened,
    /// <summary>The requirement was already weak; the file is unchanged.</summary>
    AlreadyWeak,
    /// <summary>The file does not require that version; it is unchanged.</summary>
    NotRequired,
}

/// <summary>Reads and edits the version-need table (.gnu.version_r) of a 64-bit little-endian ELF file.</summary>
public static class ElfVersionNeed
{
    private const uint ShtGnuVerneed = 0x6ffffffe;
    private const ushort VerFlgWeak = 0x2;

    /// <summary>Sets VER_FLG_WEAK on the requirement named <paramref name="version"/>, in place.</summary>
    public static VersionNeedOutcome Weaken(string path, string version)
    {
        var bytes = File.ReadAllBytes(path);
        var flagsOffset = FindFlagsOffset(bytes, version);
        if (flagsOffset < 0) return VersionNeedOutcome.NotRequired;
        var flags = U16(bytes, flagsOffset);
        if ((flags & VerFlgWeak) != 0) return VersionNeedOutcome.AlreadyWeak;

        using (var stream = new FileStream(path, FileMode.Open, FileAccess.Write))
        {
            stream.Position = flagsOffset;
            var patched = (ushort)(flags | VerFlgWeak);
            stream.Write(new[] { (byte)patched, (byte)(patched >> 8) }, 0, 2);
        }
        return VersionNeedOutcome.Weakened;
    }

    /// <summary>True when the file requires <paramref name="version"/> without the weak flag.</summary>
    public static bool HasStrongNeed(string path, string version)
    {
        var bytes = File.ReadAllBytes(path);
        var flagsOffset = FindFlagsOffset(bytes, version);
        return flagsOffset >= 0 && (U16(bytes, flagsOffset) & VerFlgWeak) == 0;
    }

    // Returns the file offset of vna_flags in the vernaux entry named `version`, or -1 when there is none.
    private static int FindFlagsOffset(byte[] elf, string version)
    {
        if (elf.Length < 64 || elf[0] != 0x7f || elf[1] != (byte)'E' || elf[2] != (byte)'L' || elf[3] != (byte)'F')
            throw new InvalidDataException("not an ELF file");
        if (elf[4] != 2 || elf[5] != 1)
            throw new InvalidDataException("only 64-bit little-endian ELF files are supported");

                var shoff = checked((int)U64(elf, 0x28));
        var shentsize = U16(elf, 0x3A);
        var shnum = U16(elf, 0x3C);
        if (shoff <= 0 || shentsize < 64 || (long)shoff + (long)shentsize * shnum > elf.Length)
            throw new InvalidDataException("section header table is missing or truncated");

        for (var i = 0; i < shnum; i++)
        {
            var sh = shoff + i * shentsize;
            if (U32(elf, sh + 4) != ShtGnuVerneed) continue;

            var tableOffset = checked((int)U64(elf, sh + 0x18));
            var entryCount = U32(elf, sh + 0x2C);
            var strtab = shoff + checked((int)U32(elf, sh + 0x28)) * shentsize;
            var strOffset = checked((int)U64(elf, strtab + 0x18));

            var need = tableOffset;
            for (var n = 0; n < entryCount; n++)
            {
                var auxCount = U16(elf, need + 2);
                var aux = need + (int)U32(elf, need + 8);
                for (var a = 0; a < auxCount; a++)
                {
                    var name = ReadCString(elf, strOffset + (int)U32(elf, aux + 8));
                    if (name == version) return aux + 4;
                    aux += (int)U32(elf, aux + 12);
                }
                need += (int)U32(elf, need + 12);
            }
        }
        return -1;
    }

    // The task is compiled for netstandard by MSBuild's code task factory, so plain arrays stand in for spans.
    private static ushort U16(byte[] s, int at) => (ushort)Read(s, at, 2);
    private static uint U32(byte[] s, int at) => (uint)Read(s, at, 4);
    private static ulong U64(byte[] s, int at) => Read(s, at, 8);

    private static ulong Read(byte[] s, int at, int length)
    {
        if (at < 0 || at + length > s.Length)
            throw new InvalidDataException($"offset 0x{at:x} points outside the file");
        ulong value = 0;
        for (var i = length - 1; i >= 0; i--) value = (value << 8) | s[at + i];
        return value;
    }

    private static string ReadCString(byte[] s, int at)
    {
        if (at < 0 || at >= s.Length) throw new InvalidDataException($"string offset 0x{at:x} points outside the file");
        var end = Array.IndexOf(s, (byte)0, at);
        if (end < 0) throw new InvalidDataException($"unterminated string at 0x{at:x}");
        return System.Text.Encoding.ASCII.GetString(s, at, end - at);
    }
}

using System.Text;
using InsightFace.Engine.Tests.Data;
using InsightFace.Engine.Tests.Support;

namespace InsightFace.Engine.Tests.Runtime;

public sealed class WeakenVersionNeedTests : IDisposable
{
    private const string Glibcxx = "GLIBCXX_3.4.32";
    private readonly TempFolder _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public void Weakens_only_the_named_requirement_of_a_synthetic_elf()
    {
        var elf = SyntheticElf.Build(("libstdc++.so.6", new[] { "GLIBCXX_3.4.30", Glibcxx }), ("libc.so.6", new[] { "GLIBC_2.34" }));
        var path = Temp(elf.Bytes);

        Assert.True(ElfVersionNeed.HasStrongNeed(path, Glibcxx));
        var before = File.ReadAllBytes(path);

        Assert.Equal(VersionNeedOutcome.Weakened, ElfVersionNeed.Weaken(path, Glibcxx));

        var after = File.ReadAllBytes(path);
        Assert.False(ElfVersionNeed.HasStrongNeed(path, Glibcxx));
        Assert.True(ElfVersionNeed.HasStrongNeed(path, "GLIBCXX_3.4.30"));
        Assert.True(ElfVersionNeed.HasStrongNeed(path, "GLIBC_2.34"));
        var changed = Enumerable.Range(0, before.Length).Where(i => before[i] != after[i]).ToArray();
        Assert.Equal(new[] { elf.FlagsOffset(Glibcxx) }, changed);
        Assert.Equal(0x2, after[changed[0]]);
    }

    [Fact]
    public void Is_idempotent_and_leaves_files_without_the_requirement_alone()
    {
        var path = Temp(SyntheticElf.Build(("libstdc++.so.6", new[] { Glibcxx })).Bytes);
        Assert.Equal(VersionNeedOutcome.Weakened, ElfVersionNeed.Weaken(path, Glibcxx));
        var once = File.ReadAllBytes(path);
        Assert.Equal(VersionNeedOutcome.AlreadyWeak, ElfVersionNeed.Weaken(path, Glibcxx));
        Assert.Equal(once, File.ReadAllBytes(path));

        // A newer TorchSharp built against an older libstdc++ has no such need: nothing changes.
        var other = Temp(SyntheticElf.Build(("libstdc++.so.6", new[] { "GLIBCXX_3.4.30" })).Bytes);
        var original = File.ReadAllBytes(other);
        Assert.Equal(VersionNeedOutcome.NotRequired, ElfVersionNeed.Weaken(other, Glibcxx));
        Assert.Equal(original, File.ReadAllBytes(other));
    }

    [Fact]
    public void Rejects_files_that_are_not_64_bit_elf()
    {
        var text = Temp(Encoding.ASCII.GetBytes("this is not an ELF file at all, just some text padding it out to 64 bytes."));
        var e = Assert.Throws<InvalidDataException>(() => ElfVersionNeed.Weaken(text, Glibcxx));
        Assert.Contains("not an ELF", e.Message);

        var elf32 = SyntheticElf.Build(("libstdc++.so.6", new[] { Glibcxx })).Bytes;
        elf32[4] = 1;
        Assert.Throws<InvalidDataException>(() => ElfVersionNeed.Weaken(Temp(elf32), Glibcxx));
    }

    [Fact]
    public void Patches_a_pristine_copy_of_the_real_library()
    {
        var pristine = Path.Combine(NuGetPackages(), "torchsharp", "0.107.0", "runtimes", "linux-x64", "native", "libLibTorchSharp.so");
        Assert.True(File.Exists(pristine), $"TorchSharp's native library not found at {pristine}");
        var copy = _temp["libLibTorchSharp.so"];
        File.Copy(pristine, copy);

        Assert.True(ElfVersionNeed.HasStrongNeed(copy, Glibcxx), "TorchSharp 0.107 is expected to need GLIBCXX_3.4.32");
        Assert.Equal(VersionNeedOutcome.Weakened, ElfVersionNeed.Weaken(copy, Glibcxx));
        Assert.False(ElfVersionNeed.HasStrongNeed(copy, Glibcxx));
        Assert.Equal(new FileInfo(pristine).Length, new FileInfo(copy).Length);
    }

    [Fact]
    public void The_copy_this_build_ships_has_no_strong_requirement()
    {
        var shipped = Path.Combine(AppContext.BaseDirectory, "libLibTorchSharp.so");
        Assert.True(File.Exists(shipped), $"missing {shipped}");
        Assert.False(ElfVersionNeed.HasStrongNeed(shipped, Glibcxx), $"{shipped} still requires {Glibcxx}: the build step did not run");
    }

    private static string NuGetPackages() =>
        Environment.GetEnvironmentVariable("NUGET_PACKAGES") is { Length: > 0 } custom
            ? custom
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");

    private string Temp(byte[] bytes)
    {
        var path = _temp[$"{Guid.NewGuid():N}.so"];
        File.WriteAllBytes(path, bytes);
        return path;
    }
}

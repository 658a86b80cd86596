using InsightFace.Engine.Export;
using InsightFace.Engine.Files;
using InsightFace.Engine.Tests.Data;

namespace InsightFace.Engine.Tests.Files;

public class AtomicFileTests
{
    [Fact]
    public void Writes_the_file_and_leaves_nothing_else_beside_it()
    {
        using var folder = new TempFolder();
        AtomicFile.Write(folder["out.bin"], overwrite: false, stream => stream.Write([1, 2, 3]));

        Assert.Equal([1, 2, 3], File.ReadAllBytes(folder["out.bin"]));
        Assert.Equal(["out.bin"], folder.Files());
    }

    [Fact]
    public void A_failed_write_keeps_the_old_file_and_leaves_no_temporary()
    {
        using var folder = new TempFolder();
        File.WriteAllText(folder["out.bin"], "old");

        Assert.Throws<IOException>(() => AtomicFile.Write(folder["out.bin"], overwrite: true, stream =>
        {
            stream.Write([1, 2, 3]);
            throw new IOException("No space left on device");
        }));

        Assert.Equal("old", File.ReadAllText(folder["out.bin"]));
        Assert.Equal(["out.bin"], folder.Files());
    }

    [Fact]
    public void An_existing_file_is_refused_with_the_callers_error_before_anything_is_written()
    {
        using var folder = new TempFolder();
        File.WriteAllText(folder["out.bin"], "old");
        var called = false;

        Assert.IsType<OutputExistsException>(Record.Exception(() => AtomicFile.Write(folder["out.bin"], overwrite: false, _ => called = true)));
        Assert.IsType<TimeoutException>(Record.Exception(() =>
            AtomicFile.Write(folder["out.bin"], overwrite: false, _ => called = true, () => new TimeoutException("exists"))));

        Assert.False(called);
        Assert.Equal("old", File.ReadAllText(folder["out.bin"]));
        Assert.Equal(["out.bin"], folder.Files());
    }

    [Fact]
    public void Creates_missing_folders_and_removes_them_again_when_the_write_fails()
    {
        using var folder = new TempFolder();

        Assert.Throws<IOException>(() => AtomicFile.Write(folder["new/deeper/out.bin"], overwrite: false, _ => throw new IOException("No space left on device")));
        Assert.False(Directory.Exists(folder["new"]));

        AtomicFile.Write(folder["new/deeper/out.bin"], overwrite: false, stream => stream.Write([7]));
        Assert.Equal(["new/deeper/out.bin"], folder.Files());
    }

    [Fact]
    public void Begin_claims_the_path_before_the_work_and_disposing_without_commit_leaves_nothing()
    {
        using var folder = new TempFolder();
        File.WriteAllText(folder["a-file"], "mine");

        var e = Assert.Throws<OutputPathException>(() => AtomicFile.Begin(folder["a-file/out.bin"], overwrite: false));
        Assert.Equal("OutputPathUnusable", e.ErrorId);
        Assert.Equal(folder["a-file/out.bin"], e.Path);
        Assert.Contains(folder["a-file/out.bin"], e.Message);

        using (AtomicFile.Begin(folder["new/out.bin"], overwrite: false)) Assert.True(Directory.Exists(folder["new"]));
        Assert.False(Directory.Exists(folder["new"]));
        Assert.Equal(["a-file"], folder.Files());
    }
}

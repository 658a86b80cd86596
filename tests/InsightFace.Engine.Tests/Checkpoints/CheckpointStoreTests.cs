using InsightFace.Engine.Checkpoints;
using InsightFace.Engine.Tests.Data;

namespace InsightFace.Engine.Tests.Checkpoints;

public class CheckpointStoreTests
{
    private static CheckpointManifest Manifest(int epoch, long step, string reason = "epoch") =>
        new() { Network = "mbf", EmbeddingSize = 128, Epoch = epoch, GlobalStep = step, Reason = reason };

    private static Action<string> Model(string content) =>
        folder => File.WriteAllText(Path.Combine(folder, CheckpointManifest.ModelFileName), content);

    [Fact]
    public void Saves_lists_and_publishes_the_newest_checkpoint()
    {
        using var temp = new TempFolder();
        var run = temp.Path;
        CheckpointStore.Save(run, Manifest(1, 10), Model("one"), keep: 5);
        var second = CheckpointStore.Save(run, Manifest(2, 20), Model("two"), keep: 5);

        Assert.Equal(Path.Combine(run, "checkpoints", "epoch-0002"), second.Folder);
        Assert.Equal(new long[] { 10, 20 }, CheckpointStore.List(run).Select(c => c.Manifest.GlobalStep));
        Assert.Equal("two", File.ReadAllText(Path.Combine(run, "model.pt")));

        var opened = CheckpointStore.Open(run);
        Assert.Equal(20, opened.Manifest.GlobalStep);
        Assert.Equal(128, opened.Manifest.EmbeddingSize);
        Assert.Equal(20, CheckpointStore.Open(Path.Combine(second.Folder, "model.pt")).Manifest.GlobalStep);
        Assert.Equal(10, CheckpointStore.Open(Path.Combine(run, "checkpoints", "epoch-0001")).Manifest.GlobalStep);
    }

    [Fact]
    public void Keeps_only_the_newest_k()
    {
        using var temp = new TempFolder();
        var run = temp.Path;
        for (var epoch = 1; epoch <= 4; epoch++) CheckpointStore.Save(run, Manifest(epoch, epoch * 10), Model($"{epoch}"), keep: 2);
        CheckpointStore.Save(run, Manifest(4, 45, "interrupt"), Model("stop"), keep: 2);

        Assert.Equal(new[] { "epoch-0004", "step-000000045" }, CheckpointStore.List(run).Select(c => Path.GetFileName(c.Folder)));
    }

    [Fact]
    public void A_failed_write_leaves_the_previous_checkpoint_intact_and_nothing_half_written()
    {
        using var temp = new TempFolder();
        var run = temp.Path;
        CheckpointStore.Save(run, Manifest(1, 10), Model("good"), keep: 3);

        Assert.Throws<IOException>(() => CheckpointStore.Save(run, Manifest(2, 20), folder =>
        {
            File.WriteAllText(Path.Combine(folder, CheckpointManifest.ModelFileName), "partial");
            throw new IOException("No space left on device");
        }, keep: 3));

        Assert.Single(Directory.GetDirectories(Path.Combine(run, "checkpoints")));
        Assert.Equal(10, CheckpointStore.Open(run).Manifest.GlobalStep);
        Assert.Equal("good", File.ReadAllText(Path.Combine(run, "model.pt")));
    }

    [Fact]
    public void Missing_and_corrupt_checkpoints_are_clear_errors()
    {
        using var temp = new TempFolder();
        var empty = temp.Path;
        Assert.Equal("CheckpointNotFound", Assert.Throws<CheckpointException>(() => CheckpointStore.Open(empty)).ErrorId);
        Assert.Equal("CheckpointNotFound", Assert.Throws<CheckpointException>(() => CheckpointStore.Open(Path.Combine(empty, "nope"))).ErrorId);

        File.WriteAllText(Path.Combine(empty, CheckpointManifest.FileName), "{ not json");
        var corrupt = Assert.Throws<CheckpointException>(() => CheckpointStore.Open(empty));
        Assert.Equal("CheckpointInvalid", corrupt.ErrorId);
        Assert.Contains(CheckpointManifest.FileName, corrupt.Message);

        Manifest(1, 1).Write(empty);
        var noModel = Assert.Throws<CheckpointException>(() => CheckpointStore.Open(empty));
        Assert.Contains("model.pt is missing", noModel.Message);
    }

    [Fact]
    public void Standalone_checkpoints_refuse_to_overwrite_without_permission()
    {
        using var temp = new TempFolder();
        var folder = temp["imported"];
        CheckpointStore.SaveStandalone(folder, Manifest(0, 0, "import"), Model("first"), overwrite: false);
        var e = Assert.Throws<CheckpointException>(() => CheckpointStore.SaveStandalone(folder, Manifest(0, 0, "import"), Model("second"), overwrite: false));
        Assert.Equal("CheckpointExists", e.ErrorId);
        Assert.Equal("first", File.ReadAllText(Path.Combine(folder, "model.pt")));

        CheckpointStore.SaveStandalone(folder, Manifest(0, 0, "import"), Model("second"), overwrite: true);
        Assert.Equal("second", File.ReadAllText(Path.Combine(folder, "model.pt")));
        Assert.Single(Directory.GetFileSystemEntries(Path.GetDirectoryName(folder)!));
    }
}

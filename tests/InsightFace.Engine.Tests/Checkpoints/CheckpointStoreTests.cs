using InsightFace.Engine.Checkpoints;
using InsightFace.Engine.Files;
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

    /// <summary>
    /// Copies the run folder at every step of a commit, as a crash there would leave it, and checks each copy: the
    /// checkpoint being replaced is complete (old or new, its model.pt matching its checkpoint.json), so is the run
    /// folder's own pair, and the next write cleans up.
    /// </summary>
    [Fact]
    public void A_crash_at_any_step_of_a_replacement_leaves_one_complete_checkpoint()
    {
        using var root = new Data.TempFolder();
        var run = root["run"];
        CheckpointStore.Save(run, Manifest(1, 10), Model("10"), keep: 3);
        var crashes = new List<(string Step, string Copy)>();
        CrashPoint.Reached = (step, _) =>
        {
            var copy = root[$"crash-{crashes.Count}"];
            CopyTree(run, copy);
            crashes.Add((step, copy));
        };
        try
        {
            // The same epoch saved again (a resumed run repeating it) replaces epoch-0001.
            CheckpointStore.Save(run, Manifest(1, 11), Model("11"), keep: 3);
        }
        finally
        {
            CrashPoint.Reached = (_, _) => { };
        }

        Assert.Equal(["checkpoint-old-aside", "checkpoint-new-in", "latest-manifest-withdrawn", "latest-model-in"], crashes.Select(c => c.Step));
        foreach (var (step, copy) in crashes)
        {
            var replaced = CheckpointStore.Open(Path.Combine(copy, "checkpoints", "epoch-0001"));
            AssertComplete(replaced, step);
            // Until the new folder is in, the old one is what a reader gets.
            Assert.Equal(step == "checkpoint-old-aside" ? 10 : 11, replaced.Manifest.GlobalStep);
            AssertComplete(CheckpointStore.Open(copy), step);
            AssertComplete(Assert.Single(CheckpointStore.List(copy)), step);

            CheckpointStore.Save(copy, Manifest(1, 12), Model("12"), keep: 3);
            Assert.Equal(["epoch-0001"], Directory.GetDirectories(Path.Combine(copy, "checkpoints")).Select(Path.GetFileName));
            Assert.Equal("12", File.ReadAllText(Path.Combine(copy, "model.pt")));
            Assert.Equal(12, CheckpointStore.Open(copy).Manifest.GlobalStep);
        }
    }

    [Fact]
    public void A_crash_while_a_standalone_checkpoint_is_replaced_keeps_the_old_one_readable_and_replaceable()
    {
        using var root = new Data.TempFolder();
        var folder = root["best"];
        CheckpointStore.SaveStandalone(folder, Manifest(1, 10, "best"), Model("10"), overwrite: false);
        var copies = new List<string>();
        CrashPoint.Reached = (step, _) =>
        {
            if (step != "checkpoint-old-aside") return;
            copies.Add(root["crash"]);
            CopyTree(root.Path, copies[0], except: copies[0]);
        };
        try
        {
            CheckpointStore.SaveStandalone(folder, Manifest(2, 20, "best"), Model("20"), overwrite: true);
        }
        finally
        {
            CrashPoint.Reached = (_, _) => { };
        }

        var crashed = Path.Combine(Assert.Single(copies), "best");
        Assert.False(Directory.Exists(crashed));
        AssertComplete(CheckpointStore.Open(crashed), "checkpoint-old-aside");
        Assert.Equal("CheckpointExists", Assert.Throws<CheckpointException>(() =>
            CheckpointStore.SaveStandalone(crashed, Manifest(3, 30, "best"), Model("30"), overwrite: false)).ErrorId);

        CheckpointStore.SaveStandalone(crashed, Manifest(3, 30, "best"), Model("30"), overwrite: true);
        Assert.Equal(30, CheckpointStore.Open(crashed).Manifest.GlobalStep);
        Assert.Equal(["best"], Directory.GetFileSystemEntries(copies[0]).Select(Path.GetFileName));
    }

    [Fact]
    public void A_failed_swap_puts_the_old_checkpoint_back()
    {
        using var root = new Data.TempFolder();
        var folder = root["imported"];
        CheckpointStore.SaveStandalone(folder, Manifest(1, 10, "import"), Model("10"), overwrite: false);
        CrashPoint.Reached = (step, _) =>
        {
            if (step == "checkpoint-old-aside") throw new IOException("Input/output error");
        };
        try
        {
            Assert.Throws<IOException>(() => CheckpointStore.SaveStandalone(folder, Manifest(2, 20, "import"), Model("20"), overwrite: true));
        }
        finally
        {
            CrashPoint.Reached = (_, _) => { };
        }

        Assert.Equal(10, CheckpointStore.Open(folder).Manifest.GlobalStep);
        Assert.Equal("10", File.ReadAllText(Path.Combine(folder, "model.pt")));
        Assert.Equal(["imported"], Directory.GetFileSystemEntries(root.Path).Select(Path.GetFileName));
    }

    private static void AssertComplete(CheckpointInfo checkpoint, string step)
    {
        var model = File.ReadAllText(checkpoint.ModelPath);
        Assert.True(model == checkpoint.Manifest.GlobalStep.ToString(System.Globalization.CultureInfo.InvariantCulture),
            $"after a crash at {step}: {checkpoint.Folder} holds model.pt of step {model} with checkpoint.json of step {checkpoint.Manifest.GlobalStep}");
    }

    private static void CopyTree(string from, string to, string? except = null)
    {
        Directory.CreateDirectory(to);
        foreach (var file in Directory.GetFiles(from)) File.Copy(file, Path.Combine(to, Path.GetFileName(file)));
        foreach (var folder in Directory.GetDirectories(from).Where(d => d != except))
            CopyTree(folder, Path.Combine(to, Path.GetFileName(folder)), except);
    }

    [Fact]
    public void A_standalone_checkpoint_creates_missing_folders_and_a_failed_one_leaves_none()
    {
        using var root = new Data.TempFolder();

        Assert.Throws<IOException>(() => CheckpointStore.SaveStandalone(root["new/deeper/ckpt"], Manifest(0, 0, "import"), _ => throw new IOException("disk full"), overwrite: false));
        Assert.Empty(Directory.GetFileSystemEntries(root.Path));

        CheckpointStore.SaveStandalone(root["new/deeper/ckpt"], Manifest(0, 0, "import"), Model("0"), overwrite: false);
        Assert.Equal(0, CheckpointStore.Open(root["new/deeper/ckpt"]).Manifest.GlobalStep);

        File.WriteAllText(root["a-file"], "mine");
        Assert.Equal("OutputPathUnusable", Assert.Throws<InsightFace.Engine.Export.OutputPathException>(() =>
            CheckpointStore.SaveStandalone(root["a-file/ckpt"], Manifest(0, 0, "import"), Model("0"), overwrite: false)).ErrorId);
        Assert.Equal("mine", File.ReadAllText(root["a-file"]));
    }

    [Fact]
    public void The_next_save_removes_what_a_crash_left_while_another_checkpoint_was_written()
    {
        using var root = new Data.TempFolder();
        var run = root["run"];
        CheckpointStore.Save(run, Manifest(1, 10), Model("10"), keep: 3);
        // Killed while writing step-000000015 (Ctrl+C's checkpoint): its staging folder is half-written.
        Directory.CreateDirectory(Path.Combine(run, "checkpoints", ".step-000000015.new-0123456789abcdef"));
        File.WriteAllText(Path.Combine(run, "checkpoints", ".step-000000015.new-0123456789abcdef", "model.pt"), "partial");

        CheckpointStore.Save(run, Manifest(2, 20), Model("20"), keep: 3);

        Assert.Equal(["epoch-0001", "epoch-0002"], Directory.GetDirectories(Path.Combine(run, "checkpoints")).Select(Path.GetFileName).Order());
    }
}

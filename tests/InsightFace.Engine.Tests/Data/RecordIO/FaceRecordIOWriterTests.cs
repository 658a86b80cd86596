using System.Buffers.Binary;
using System.Globalization;
using InsightFace.Engine.Data;
using InsightFace.Engine.Data.ImageFolder;
using InsightFace.Engine.Data.RecordIO;
using InsightFace.Engine.Files;
using InsightFace.Engine.Tests.Support;

namespace InsightFace.Engine.Tests.Data.RecordIO;

public class FaceRecordIOWriterTests
{
    [FixtureFact("mxnet-im2rec-8faces")]
    public void A_rec_we_write_from_an_image_folder_reads_back_identically()
    {
        using var temp = new TempFolder();
        using var source = ImageFolderDataset.Open(Fixtures.Path("mxnet-im2rec-8faces", "faces_webface_112x112"));
        var result = FaceRecordIOWriter.Write(source, temp["out"]);
        using var written = RecordIODataset.Open(temp["out/train.rec"]);

        Assert.Equal(8, result.Records);
        Assert.Equal(["out/property", "out/train.idx", "out/train.rec"], temp.Files());
        Assert.NotNull(written.Header);
        Assert.Equal(source.Count, written.Count);
        Assert.Equal(2, written.NumClasses);
        Assert.Equal(new ImageSize(112, 112), written.Info.ImageSize);
        for (var i = 0; i < source.Count; i++)
        {
            Assert.Equal(source.Read(i).Image, written.Read(i).Image);
            Assert.Equal(source.Read(i).Label, written.Read(i).Label);
        }
    }

    [Fact]
    public void The_layout_is_insightface_face2rec2_as_arcface_torch_reads_it()
    {
        using var temp = new TempFolder();
        TestImages.WriteFolder(temp["faces"], 2, 1, 3);
        using var source = ImageFolderDataset.Open(temp["faces"]);
        FaceRecordIOWriter.Write(source, temp["out"]);

        // Read the bytes the way MXFaceDataset does, by hand: idx -> key 0 -> header labels -> image keys 1..label[0]-1.
        var idx = File.ReadAllLines(temp["out/train.idx"]).Select(l => l.Split('\t'))
            .ToDictionary(f => int.Parse(f[0], CultureInfo.InvariantCulture), f => long.Parse(f[1], CultureInfo.InvariantCulture));
        var rec = File.ReadAllBytes(temp["out/train.rec"]);
        float[] Labels(int key, out uint flag, out ulong id, out byte[] image)
        {
            var at = (int)idx[key];
            Assert.Equal(0xCED7230Au, BinaryPrimitives.ReadUInt32LittleEndian(rec.AsSpan(at)));
            var length = (int)(BinaryPrimitives.ReadUInt32LittleEndian(rec.AsSpan(at + 4)) & 0x1FFFFFFF);
            var payload = rec.AsSpan(at + 8, length);
            flag = BinaryPrimitives.ReadUInt32LittleEndian(payload);
            id = BinaryPrimitives.ReadUInt64LittleEndian(payload[8..]);
            var labels = new float[flag];
            for (var i = 0; i < flag; i++) labels[i] = BinaryPrimitives.ReadSingleLittleEndian(payload[(24 + 4 * i)..]);
            image = payload[(24 + 4 * (int)flag)..].ToArray();
            return labels;
        }

        Assert.Equal([7f, 10f], Labels(0, out var headerFlag, out var headerId, out var headerImage)); // 6 images, 3 identities
        Assert.Equal(2u, headerFlag);
        Assert.Equal(0ul, headerId);
        Assert.Empty(headerImage);
        var expectedLabels = new[] { 0, 0, 1, 2, 2, 2 };
        for (var key = 1; key <= 6; key++)
        {
            Assert.Equal([expectedLabels[key - 1], 1f], Labels(key, out var flag, out var id, out var image));
            Assert.Equal(2u, flag);
            Assert.Equal((ulong)key, id);
            Assert.Equal(source.Read(key - 1).Image, image);
        }
        Assert.Equal([1f, 3f], Labels(7, out _, out _, out _));
        Assert.Equal([3f, 4f], Labels(8, out _, out _, out _));
        Assert.Equal([4f, 7f], Labels(9, out _, out _, out _));
        Assert.Equal("3,16,16\n", File.ReadAllText(temp["out/property"]));
    }

    [Fact]
    public void An_existing_rec_is_not_overwritten_without_force()
    {
        using var temp = new TempFolder();
        TestImages.WriteFolder(temp["faces"], 1, 1);
        using var source = ImageFolderDataset.Open(temp["faces"]);
        Directory.CreateDirectory(temp["out"]);
        File.WriteAllText(temp["out/train.rec"], "precious");

        var e = Assert.Throws<DatasetOutputExistsException>(() => FaceRecordIOWriter.Write(source, temp["out"]));
        Assert.Equal(ErrorIds.DatasetOutputExists, e.ErrorId);
        Assert.Equal(temp["out/train.rec"], e.FilePath);
        Assert.Equal("precious", File.ReadAllText(temp["out/train.rec"]));
        Assert.DoesNotContain(temp.Files(), f => f.StartsWith("out/", StringComparison.Ordinal) && f != "out/train.rec");

        FaceRecordIOWriter.Write(source, temp["out"], force: true);
        Assert.Equal(2, RecordIODataset.Open(temp["out/train.rec"]).Count);
    }

    /// <summary>
    /// Copies the output folder at every step of a forced replacement's commit, as a crash there would leave it:
    /// each file is the old or the new one, train.idx is never beside a train.rec (or property) of the other
    /// dataset, a reader reads every copy, and the next forced write removes what the crash left.
    /// </summary>
    [Fact]
    public void A_crash_while_force_replaces_a_dataset_never_leaves_a_rec_beside_an_index_of_another()
    {
        using var temp = new TempFolder();
        TestImages.WriteFolder(temp["old"], 2, 2);
        TestImages.WriteFolder(temp["new"], 3, 1, 1);
        using var oldSource = ImageFolderDataset.Open(temp["old"]);
        using var newSource = ImageFolderDataset.Open(temp["new"]);
        FaceRecordIOWriter.Write(oldSource, temp["out"]);
        var old = VisibleFiles(temp["out"]);
        var crashes = new List<string>();
        CrashPoint.Reached = (_, folder) =>
        {
            crashes.Add(temp[$"crash-{crashes.Count}"]);
            CopyFolder(folder, crashes[^1]);
        };
        try
        {
            FaceRecordIOWriter.Write(newSource, temp["out"], force: true);
        }
        finally
        {
            CrashPoint.Reached = (_, _) => { };
        }
        var replaced = VisibleFiles(temp["out"]);

        Assert.Equal(2, crashes.Count);
        foreach (var crash in crashes)
        {
            var files = VisibleFiles(crash);
            Assert.All(files, f => Assert.True(f.Value.SequenceEqual(old[f.Key]) || f.Value.SequenceEqual(replaced[f.Key]), $"{crash}/{f.Key} is neither version"));
            if (files.TryGetValue(FaceRecordIOWriter.IdxFileName, out var idx))
            {
                var version = idx.SequenceEqual(old[FaceRecordIOWriter.IdxFileName]) ? old : replaced;
                Assert.All(files, f => Assert.Equal(version[f.Key], f.Value));
            }
            using (var reader = RecordIODataset.Open(Path.Combine(crash, FaceRecordIOWriter.RecFileName)))
                Assert.Contains(reader.Count, new[] { oldSource.Count, newSource.Count });

            FaceRecordIOWriter.Write(newSource, crash, force: true);
            Assert.Equal(["property", "train.idx", "train.rec"], Directory.GetFileSystemEntries(crash).Select(Path.GetFileName).Order());
        }
    }

    [Fact]
    public void Unsorted_labels_fail_and_leave_nothing_behind()
    {
        using var temp = new TempFolder();
        TestImages.WriteFolder(temp["faces"], 2, 2);
        using var folder = ImageFolderDataset.Open(temp["faces"]);
        using var reversed = new FaultyDataset(folder, i => folder.Read(folder.Count - 1 - i));

        var e = Assert.Throws<DatasetFormatException>(() => FaceRecordIOWriter.Write(reversed, temp["out"]));
        Assert.Equal(ErrorIds.RecordIOLabelsNotSorted, e.ErrorId);
        Assert.Contains("record 2", e.Message);
        Assert.False(Directory.Exists(temp["out"]));
    }

    [Fact]
    public void An_interrupt_mid_write_leaves_no_rec_behind()
    {
        using var temp = new TempFolder();
        TestImages.WriteFolder(temp["faces"], 300, 300);
        using var folder = ImageFolderDataset.Open(temp["faces"]);
        using var cancellation = new CancellationTokenSource();
        using var source = new FaultyDataset(folder, i =>
        {
            if (i == 400) cancellation.Cancel();
            return null;
        });

        Assert.ThrowsAny<OperationCanceledException>(() => FaceRecordIOWriter.Write(source, temp["out"], cancellationToken: cancellation.Token));

        Assert.False(Directory.Exists(temp["out"]));
    }

    [Fact]
    public void A_failed_forced_rewrite_leaves_the_old_dataset_and_the_folder_as_they_were()
    {
        using var temp = new TempFolder();
        TestImages.WriteFolder(temp["faces"], 2, 2);
        using var folder = ImageFolderDataset.Open(temp["faces"]);
        FaceRecordIOWriter.Write(folder, temp["out"]);
        var before = temp.Files().ToDictionary(f => f, f => File.ReadAllBytes(temp[f]));
        using var reversed = new FaultyDataset(folder, i => folder.Read(folder.Count - 1 - i));

        Assert.Throws<DatasetFormatException>(() => FaceRecordIOWriter.Write(reversed, temp["out"], force: true));

        Assert.Equal(before.Keys, temp.Files());
        Assert.All(before, f => Assert.Equal(f.Value, File.ReadAllBytes(temp[f.Key])));
        Assert.Equal(3, Directory.GetFileSystemEntries(temp["out"]).Length);
    }

    [Fact]
    public void An_undecodable_image_is_reported_and_skipped()
    {
        using var temp = new TempFolder();
        TestImages.WriteFolder(temp["faces"], 2, 2);
        File.WriteAllBytes(temp["faces/id001/000.jpg"], [1, 2, 3, 4]);
        using var source = ImageFolderDataset.Open(temp["faces"]);
        var skipped = new List<SkippedRecord>();

        var result = FaceRecordIOWriter.Write(source, temp["out"], skipped: skipped.Add);

        Assert.Equal(3, result.Records);
        Assert.Equal(1, result.Skipped);
        var skip = Assert.Single(skipped);
        Assert.Equal(2, skip.Index);
        Assert.Equal(ErrorIds.DatasetImageUndecodable, skip.Error.ErrorId);
        Assert.Contains(temp["faces/id001/000.jpg"], skip.Error.Message);
        using var written = RecordIODataset.Open(temp["out/train.rec"]);
        Assert.Equal([0, 0, 1], Enumerable.Range(0, written.Count).Select(i => written.Read(i).Label));
    }

    [Fact]
    public void An_insightface_rec_without_its_idx_is_scanned_and_keys_come_from_the_header_ids()
    {
        using var temp = new TempFolder();
        TestImages.WriteFolder(temp["faces"], 3, 2);
        using var source = ImageFolderDataset.Open(temp["faces"]);
        FaceRecordIOWriter.Write(source, temp["out"]);
        File.Delete(temp["out/train.idx"]);
        using var scanned = RecordIODataset.Open(temp["out/train.rec"]);

        Assert.NotNull(scanned.Header);
        Assert.Equal(5, scanned.Count);
        Assert.Equal(2, scanned.NumClasses);
        Assert.Equal(Enumerable.Range(0, 5).Select(i => source.Read(i).Image), Enumerable.Range(0, 5).Select(i => scanned.Read(i).Image));
    }

    [Fact]
    public void Images_holding_the_magic_number_survive_as_split_records()
    {
        using var temp = new TempFolder();
        TestImages.WriteFolder(temp["faces"], 2);
        var jpeg = File.ReadAllBytes(temp["faces/id000/000.jpg"]);
        // A JPEG comment segment holding the RecordIO magic at every alignment (5-byte spacing), so one copy sits on the 4-byte grid.
        byte[] comment = [0xFF, 0xFE, 0x00, 0x16, .. Enumerable.Repeat(new byte[] { 0x0A, 0x23, 0xD7, 0xCE, 0x00 }, 4).SelectMany(b => b)];
        File.WriteAllBytes(temp["faces/id000/000.jpg"], [.. jpeg[..2], .. comment, .. jpeg[2..]]);
        using var source = ImageFolderDataset.Open(temp["faces"]);
        FaceRecordIOWriter.Write(source, temp["out"]);
        using var written = RecordIODataset.Open(temp["out/train.rec"]);

        var rec = File.ReadAllBytes(temp["out/train.rec"]);
        Assert.Equal(1u, BinaryPrimitives.ReadUInt32LittleEndian(rec.AsSpan(4)) >> 29); // the first record is split
        Assert.Equal(File.ReadAllBytes(temp["faces/id000/000.jpg"]), written.Read(0).Image);
        Assert.Equal(File.ReadAllBytes(temp["faces/id000/001.jpg"]), written.Read(1).Image);
    }

    [Fact]
    public void Reads_from_many_threads_at_once_agree_with_sequential_reads()
    {
        using var temp = new TempFolder();
        TestImages.WriteFolder(temp["faces"], 20, 20);
        using var source = ImageFolderDataset.Open(temp["faces"]);
        FaceRecordIOWriter.Write(source, temp["out"]);
        using var written = RecordIODataset.Open(temp["out/train.rec"]);
        var sequential = Enumerable.Range(0, 40).Select(i => written.Read(i).Image).ToArray();

        var parallel = new byte[40][];
        Parallel.For(0, 400, new ParallelOptions { MaxDegreeOfParallelism = 4 }, i => parallel[i % 40] = written.Read(i % 40).Image);

        Assert.Equal(sequential, parallel);
    }

    private static Dictionary<string, byte[]> VisibleFiles(string folder) =>
        Directory.GetFiles(folder).ToDictionary(f => Path.GetFileName(f), File.ReadAllBytes);

    private static void CopyFolder(string from, string to)
    {
        foreach (var folder in Directory.GetDirectories(from, "*", SearchOption.AllDirectories))
            Directory.CreateDirectory(Path.Combine(to, Path.GetRelativePath(from, folder)));
        Directory.CreateDirectory(to);
        // A staging folder's lock file is empty and held without sharing: the copy gets an empty one, unheld.
        foreach (var file in Directory.GetFiles(from, "*", SearchOption.AllDirectories))
            if (Path.GetFileName(file) == ".lock") File.WriteAllBytes(Path.Combine(to, Path.GetRelativePath(from, file)), []);
            else File.Copy(file, Path.Combine(to, Path.GetRelativePath(from, file)));
    }
}

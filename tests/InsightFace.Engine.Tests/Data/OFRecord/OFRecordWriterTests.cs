using Google.Protobuf;
using InsightFace.Engine.Data;
using InsightFace.Engine.Data.ImageFolder;
using InsightFace.Engine.Data.OFRecord;
using InsightFace.Engine.Data.OFRecord.Proto;
using InsightFace.Engine.Data.RecordIO;
using InsightFace.Engine.Tests.Support;

namespace InsightFace.Engine.Tests.Data.OFRecord;

public class OFRecordWriterTests
{
    private const string Faces = "mxnet-im2rec-8faces";

    [FixtureFact(Faces)]
    public void Parts_parse_with_the_generated_protobuf_classes_and_hold_the_original_jpeg_bytes()
    {
        using var temp = new TempFolder();
        using var source = RecordIODataset.Open(Fixtures.Path(Faces, "train.rec"));
        var result = OFRecordWriter.Write(source, temp.Path, new OFRecordWriteOptions { Parts = 3, Seed = 7 });

        Assert.Equal(8, result.Records);
        Assert.Equal(["_SUCCESS", "part-00000", "part-00001", "part-00002", "property"], temp.Files());
        Assert.Empty(File.ReadAllBytes(temp["_SUCCESS"]));
        var records = Enumerable.Range(0, 3).SelectMany(p => RawOFRecord.ReadPart(temp[$"part-{p:D5}"])).ToList();
        Assert.Equal(8, records.Count);
        var sourceImages = Enumerable.Range(0, 8).Select(i => source.Read(i)).ToList();
        foreach (var (body, record) in records)
        {
            Assert.Equal(["encoded", "label"], record.Feature.Keys.Order(StringComparer.Ordinal));
            Assert.Equal(Feature.KindOneofCase.BytesList, record.Feature["encoded"].KindCase);
            Assert.Equal(Feature.KindOneofCase.Int32List, record.Feature["label"].KindCase);
            var image = Assert.Single(record.Feature["encoded"].BytesList.Value).ToByteArray();
            var label = Assert.Single(record.Feature["label"].Int32List.Value);
            Assert.Contains(sourceImages, s => s.Image.SequenceEqual(image) && s.Label == label);
            // Our hand-written encoding is the canonical protobuf encoding (key order as Python writes it).
            Assert.Equal(RawOFRecord.Face(image, label).ToByteArray(), body);
        }
        Assert.Equal(8, records.Select(r => r.Record.Feature["encoded"].BytesList.Value[0]).Distinct().Count());
    }

    [Theory]
    [InlineData(10, 3, new[] { 3, 3, 4 })]
    [InlineData(10, 4, new[] { 2, 3, 2, 3 })]
    [InlineData(2, 4, new[] { 0, 1, 0, 1 })]
    public void Records_are_spread_evenly_over_the_parts(int images, int parts, int[] expected)
    {
        using var temp = new TempFolder();
        TestImages.WriteFolder(temp["faces"], images);
        using var source = ImageFolderDataset.Open(temp["faces"]);
        OFRecordWriter.Write(source, temp["out"], new OFRecordWriteOptions { Parts = parts });

        Assert.Equal(expected, Enumerable.Range(0, parts).Select(p => RawOFRecord.ReadPart(temp[$"out/part-{p:D5}"]).Count));
    }

    [Fact]
    public void Shuffling_is_deterministic_for_a_seed_and_every_record_is_written_once()
    {
        using var temp = new TempFolder();
        TestImages.WriteFolder(temp["faces"], 5, 5, 5);
        using var source = ImageFolderDataset.Open(temp["faces"]);
        string[] Labels(string output) => Enumerable.Range(0, 2)
            .SelectMany(p => RawOFRecord.ReadPart(Path.Combine(output, $"part-{p:D5}")))
            .Select(r => r.Record.Feature["encoded"].BytesList.Value[0].ToBase64())
            .ToArray();

        OFRecordWriter.Write(source, temp["a"], new OFRecordWriteOptions { Parts = 2, Seed = 1 });
        OFRecordWriter.Write(source, temp["b"], new OFRecordWriteOptions { Parts = 2, Seed = 1 });
        OFRecordWriter.Write(source, temp["c"], new OFRecordWriteOptions { Parts = 2, Seed = 2 });
        OFRecordWriter.Write(source, temp["d"], new OFRecordWriteOptions { Parts = 2, Shuffle = false });

        Assert.Equal(File.ReadAllBytes(temp["a/part-00000"]), File.ReadAllBytes(temp["b/part-00000"]));
        Assert.Equal(File.ReadAllBytes(temp["a/part-00001"]), File.ReadAllBytes(temp["b/part-00001"]));
        var inSourceOrder = Enumerable.Range(0, 15).Select(i => Convert.ToBase64String(source.Read(i).Image)).ToArray();
        Assert.Equal(inSourceOrder, Labels(temp["d"]));
        Assert.NotEqual(inSourceOrder, Labels(temp["a"]));
        Assert.NotEqual(Labels(temp["a"]), Labels(temp["c"]));
        Assert.Equal(inSourceOrder.Order(), Labels(temp["a"]).Order());
    }

    [Fact]
    public void Suffix_length_is_configurable_and_the_output_reads_back()
    {
        using var temp = new TempFolder();
        TestImages.WriteFolder(temp["faces"], 2, 2);
        using var source = ImageFolderDataset.Open(temp["faces"]);
        OFRecordWriter.Write(source, temp["out"], new OFRecordWriteOptions { Parts = 2, SuffixLength = 3 });
        using var written = OFRecordDataset.Open(temp["out"]);

        Assert.Equal(["part-000", "part-001"], written.PartPaths.Select(Path.GetFileName));
        Assert.Equal(4, written.Count);
        Assert.Equal(2, written.NumClasses);
        Assert.Equal(new ImageSize(16, 16), written.Info.ImageSize);
    }

    [Fact]
    public void Validation_sets_and_property_are_copied_beside_the_parts()
    {
        using var temp = new TempFolder();
        TestImages.WriteFolder(temp["faces"], 1, 1);
        File.WriteAllBytes(temp["faces/lfw.bin"], [1, 2, 3]);
        File.WriteAllText(temp["faces/property"], "2,16,16\n");
        using var source = ImageFolderDataset.Open(temp["faces"]);
        var result = OFRecordWriter.Write(source, temp["out"], new OFRecordWriteOptions { Parts = 1 });

        Assert.Equal([1, 2, 3], File.ReadAllBytes(temp["out/lfw.bin"]));
        Assert.Equal("2,16,16\n", File.ReadAllText(temp["out/property"]));
        Assert.Equal([temp["out/part-00000"], temp["out/lfw.bin"], temp["out/property"], temp["out/_SUCCESS"]], result.Files);
        using var written = OFRecordDataset.Open(temp["out"]);
        Assert.Equal([temp["out/lfw.bin"]], written.Info.ValidationTargets);
    }

    [Fact]
    public void An_existing_success_marker_is_refused_without_force_and_nothing_changes()
    {
        using var temp = new TempFolder();
        TestImages.WriteFolder(temp["faces"], 2, 2);
        using var source = ImageFolderDataset.Open(temp["faces"]);
        OFRecordWriter.Write(source, temp["out"], new OFRecordWriteOptions { Parts = 3 });
        var before = temp.Files().ToDictionary(f => f, f => File.ReadAllBytes(temp[f]));

        var e = Assert.Throws<DatasetOutputExistsException>(() =>
            OFRecordWriter.Write(source, temp["out"], new OFRecordWriteOptions { Parts = 2, Seed = 9 }));

        Assert.Equal(ErrorIds.DatasetOutputExists, e.ErrorId);
        Assert.Equal(temp["out/_SUCCESS"], e.FilePath);
        Assert.Equal(before.Keys, temp.Files());
        Assert.All(before, f => Assert.Equal(f.Value, File.ReadAllBytes(temp[f.Key])));

        OFRecordWriter.Write(source, temp["out"], new OFRecordWriteOptions { Parts = 2, Seed = 9, Force = true });
        Assert.Equal(["out/_SUCCESS", "out/part-00000", "out/part-00001", "out/property"], temp.Files().Where(f => f.StartsWith("out/")));
    }

    [Fact]
    public void Parts_without_success_marker_are_refused_too()
    {
        using var temp = new TempFolder();
        TestImages.WriteFolder(temp["faces"], 1);
        using var source = ImageFolderDataset.Open(temp["faces"]);
        Directory.CreateDirectory(temp["out"]);
        File.WriteAllText(temp["out/part-00000"], "from another tool");

        var e = Assert.Throws<DatasetOutputExistsException>(() => OFRecordWriter.Write(source, temp["out"], new OFRecordWriteOptions()));
        Assert.Equal(temp["out/part-00000"], e.FilePath);
        Assert.Equal("from another tool", File.ReadAllText(temp["out/part-00000"]));
    }

    [Fact]
    public void Force_replaces_only_the_old_datasets_files()
    {
        using var temp = new TempFolder();
        TestImages.WriteFolder(temp["faces"], 2, 2);
        using var source = ImageFolderDataset.Open(temp["faces"]);
        Directory.CreateDirectory(temp["out/photos"]);
        File.WriteAllText(temp["out/notes.txt"], "mine");

        OFRecordWriter.Write(source, temp["out"], new OFRecordWriteOptions { Parts = 3, Force = true });
        OFRecordWriter.Write(source, temp["out"], new OFRecordWriteOptions { Parts = 2, Force = true });

        Assert.Equal(["_SUCCESS", "notes.txt", "part-00000", "part-00001", "photos", "property"],
            Directory.GetFileSystemEntries(temp["out"]).Select(Path.GetFileName).Order(StringComparer.Ordinal));
        Assert.Equal("mine", File.ReadAllText(temp["out/notes.txt"]));
    }

    [Fact]
    public void More_parts_than_records_write_the_parts_asked_for_and_name_the_empty_ones()
    {
        using var temp = new TempFolder();
        TestImages.WriteFolder(temp["faces"], 2);
        using var source = ImageFolderDataset.Open(temp["faces"]);

        var result = OFRecordWriter.Write(source, temp["out"], new OFRecordWriteOptions { Parts = 4 });

        Assert.Equal([temp["out/part-00000"], temp["out/part-00002"]], result.EmptyParts);
        Assert.Equal(4, OFRecordDataset.FindParts(temp["out"]).Length);
        Assert.Empty(OFRecordWriter.Write(source, temp["two"], new OFRecordWriteOptions { Parts = 2 }).EmptyParts);
    }

    [Fact]
    public void An_interrupt_mid_write_leaves_no_success_marker_no_part_and_no_folder()
    {
        using var temp = new TempFolder();
        TestImages.WriteFolder(temp["faces"], 6, 6);
        using var folder = ImageFolderDataset.Open(temp["faces"]);
        using var cancellation = new CancellationTokenSource();
        var reads = 0;
        using var source = new FaultyDataset(folder, _ =>
        {
            if (++reads == 7) cancellation.Cancel(); // part 0 of 2 is complete, part 1 half written
            return null;
        });

        Assert.Throws<OperationCanceledException>(() =>
            OFRecordWriter.Write(source, temp["out"], new OFRecordWriteOptions { Parts = 2 }, cancellationToken: cancellation.Token));

        Assert.False(Directory.Exists(temp["out"]));
    }

    [Fact]
    public void A_failure_mid_write_leaves_no_success_marker_no_part_and_no_folder()
    {
        using var temp = new TempFolder();
        TestImages.WriteFolder(temp["faces"], 6);
        using var folder = ImageFolderDataset.Open(temp["faces"]);
        using var source = new FaultyDataset(folder, i => i == 4 ? throw new IOException("device not ready") : null);

        Assert.Throws<IOException>(() => OFRecordWriter.Write(source, temp["out"], new OFRecordWriteOptions { Parts = 2, Shuffle = false }));

        Assert.False(Directory.Exists(temp["out"]));
    }

    [Fact]
    public void An_output_folder_that_cannot_be_created_is_a_write_failure_naming_it()
    {
        using var temp = new TempFolder();
        TestImages.WriteFolder(temp["faces"], 1);
        using var source = ImageFolderDataset.Open(temp["faces"]);
        File.WriteAllText(temp["out"], "a file where the folder should go");

        var e = Assert.Throws<DatasetWriteException>(() => OFRecordWriter.Write(source, temp["out"], new OFRecordWriteOptions()));

        Assert.Equal(ErrorIds.DatasetWriteFailed, e.ErrorId);
        Assert.Equal(temp["out"], e.FilePath);
        Assert.Contains($"Writing {temp["out"]} failed", e.Message);
        Assert.Equal("a file where the folder should go", File.ReadAllText(temp["out"]));
    }

    [Fact]
    public void A_forced_rewrite_that_fails_leaves_the_old_dataset_as_it_was()
    {
        using var temp = new TempFolder();
        TestImages.WriteFolder(temp["faces"], 4);
        using var folder = ImageFolderDataset.Open(temp["faces"]);
        OFRecordWriter.Write(folder, temp["out"], new OFRecordWriteOptions { Parts = 2 });
        var before = temp.Files().ToDictionary(f => f, f => File.ReadAllBytes(temp[f]));
        using var source = new FaultyDataset(folder, i => i == 3 ? throw new IOException("device not ready") : null);

        Assert.Throws<IOException>(() => OFRecordWriter.Write(source, temp["out"], new OFRecordWriteOptions { Parts = 3, Force = true }));

        Assert.Equal(before.Keys, temp.Files());
        Assert.All(before, f => Assert.Equal(f.Value, File.ReadAllBytes(temp[f.Key])));
        Assert.Equal(["_SUCCESS", "part-00000", "part-00001", "property"], Directory.GetFileSystemEntries(temp["out"]).Select(Path.GetFileName).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void A_failed_write_into_missing_folders_removes_every_folder_it_created()
    {
        using var temp = new TempFolder();
        TestImages.WriteFolder(temp["faces"], 4);
        using var folder = ImageFolderDataset.Open(temp["faces"]);
        using var source = new FaultyDataset(folder, i => i == 3 ? throw new IOException("device not ready") : null);

        Assert.Throws<IOException>(() => OFRecordWriter.Write(source, temp["new/nested/out"], new OFRecordWriteOptions { Parts = 2 }));
        Assert.False(Directory.Exists(temp["new"]));

        OFRecordWriter.Write(folder, temp["new/nested/out"], new OFRecordWriteOptions { Parts = 2 });
        Assert.True(File.Exists(temp["new/nested/out/_SUCCESS"]));
    }

    [Fact]
    public void Corrupt_and_undecodable_records_are_reported_skipped_and_counted()
    {
        using var temp = new TempFolder();
        TestImages.WriteFolder(temp["faces"], 8);
        using var folder = ImageFolderDataset.Open(temp["faces"]);
        using var source = new FaultyDataset(folder, i => i switch
        {
            2 => throw new DatasetFormatException(ErrorIds.RecordIOBadMagic, "train.rec", 1234, "train.rec at offset 1234: bad magic"),
            5 => new FaceSample([0xFF, 0xD8, 0, 0], 0, "train.rec@5000"),
            _ => null,
        });
        var skipped = new List<SkippedRecord>();
        var progress = new List<ConversionProgress>();

        var result = OFRecordWriter.Write(source, temp["out"], new OFRecordWriteOptions { Parts = 2, Shuffle = false },
            new SynchronousProgress<ConversionProgress>(progress.Add), skipped.Add);

        Assert.Equal(6, result.Records);
        Assert.Equal(2, result.Skipped);
        Assert.Equal([2, 5], skipped.Select(s => s.Index));
        Assert.Equal(ErrorIds.RecordIOBadMagic, skipped[0].Error.ErrorId);
        Assert.Equal(ErrorIds.DatasetImageUndecodable, skipped[1].Error.ErrorId);
        Assert.Contains("train.rec@5000 (record 5)", skipped[1].Error.Message);
        Assert.True(File.Exists(temp["out/_SUCCESS"]));
        var last = progress[^1];
        Assert.Equal((8, 8, 2), (last.Processed, last.Total, last.Skipped));
        Assert.Equal(new FileInfo(temp["out/part-00000"]).Length + new FileInfo(temp["out/part-00001"]).Length, last.BytesWritten);
    }

    [Fact]
    public void Parts_larger_than_a_write_chunk_and_records_larger_than_one_read_back_byte_for_byte()
    {
        using var temp = new TempFolder();
        TestImages.WriteFolder(temp["faces"], 6, 6);
        using var folder = ImageFolderDataset.Open(temp["faces"]);
        // Trailing bytes after a JPEG's end marker are kept as they are, so padding makes large images cheaply:
        // six 0.9 MB records overflow the 4 MB chunk a part is written in, and one 6 MB record is larger than it.
        var images = Enumerable.Range(0, 12)
            .Select(i => TestImages.Jpeg(i).Concat(new byte[i == 3 ? 6 << 20 : 900_000]).ToArray())
            .ToArray();
        using var source = new FaultyDataset(folder, i => new FaceSample(images[i], i / 6, $"image {i}"));

        var result = OFRecordWriter.Write(source, temp["out"], new OFRecordWriteOptions { Parts = 2, Shuffle = false });

        Assert.Equal(12, result.Records);
        var records = Enumerable.Range(0, 2).SelectMany(p => RawOFRecord.ReadPart(temp[$"out/part-{p:D5}"])).ToList();
        Assert.Equal(images, records.Select(r => r.Record.Feature["encoded"].BytesList.Value[0].ToByteArray()));
        Assert.Equal(Enumerable.Range(0, 12).Select(i => i / 6), records.Select(r => r.Record.Feature["label"].Int32List.Value[0]));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(127)]
    [InlineData(128)]
    [InlineData(85741)]
    [InlineData(int.MaxValue)]
    [InlineData(-1)]
    public void The_hand_written_encoding_equals_protobufs_for_any_label(int label)
    {
        var image = TestImages.Jpeg(label & 0xFF, size: 40);
        var framed = new byte[OFRecordEncoder.FramedLength(image.Length, label)];

        Assert.Equal(framed.Length, OFRecordEncoder.Encode(framed, image, label));
        var expected = RawOFRecord.Face(image, label).ToByteArray();
        Assert.Equal(expected.Length, BitConverter.ToInt64(framed, 0));
        Assert.Equal(expected, framed[8..]);
    }

    /// <summary>Reports on the calling thread, as the cmdlet's adapter does (Progress&lt;T&gt; would post to the thread pool).</summary>
    private sealed class SynchronousProgress<T>(Action<T> report) : IProgress<T>
    {
        public void Report(T value) => report(value);
    }
}

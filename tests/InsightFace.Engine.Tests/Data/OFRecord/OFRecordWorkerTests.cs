using System.Buffers.Binary;
using Google.Protobuf;
using InsightFace.Engine.Data;
using InsightFace.Engine.Data.ImageFolder;
using InsightFace.Engine.Data.OFRecord;
using InsightFace.Engine.Data.RecordIO;
using InsightFace.Engine.Tests.Data.RecordIO;
using InsightFace.Engine.Tests.Support;

namespace InsightFace.Engine.Tests.Data.OFRecord;

/// <summary>Parts written on several threads: the same bytes, skips, errors and clean-up as on one.</summary>
public class OFRecordWorkerTests
{
    private const string Faces = "mxnet-im2rec-8faces";
    private static readonly int[] WorkerCounts = [1, 2, 3, 8];

    [FixtureFact(Faces)]
    public void The_fixture_converts_to_the_parts_an_independent_encoder_writes_for_any_number_of_workers()
    {
        using var temp = new TempFolder();
        using var source = RecordIODataset.Open(Fixtures.Path(Faces, "train.rec"));
        var expected = ExpectedParts(source, parts: 3, seed: 7);

        foreach (var workers in WorkerCounts)
        {
            var output = temp[$"w{workers}"];
            OFRecordWriter.Write(source, output, new OFRecordWriteOptions { Parts = 3, Seed = 7, Workers = workers });
            for (var p = 0; p < 3; p++)
                Assert.Equal(expected[p], File.ReadAllBytes(Path.Combine(output, $"part-{p:D5}")));
        }
    }

    [Fact]
    public void A_recordio_source_with_many_parts_converts_to_the_same_bytes_for_any_number_of_workers()
    {
        using var temp = new TempFolder();
        TestImages.WriteFolder(temp["faces"], 9, 7, 8, 6);
        using (var folder = ImageFolderDataset.Open(temp["faces"])) FaceRecordIOWriter.Write(folder, temp["rec"]);
        using var source = RecordIODataset.Open(temp["rec/train.rec"]);
        var expected = ExpectedParts(source, parts: 7, seed: 3);

        foreach (var workers in WorkerCounts)
        {
            var output = temp[$"w{workers}"];
            var result = OFRecordWriter.Write(source, output, new OFRecordWriteOptions { Parts = 7, Seed = 3, Workers = workers });
            Assert.Equal(30, result.Records);
            Assert.Equal(expected, Enumerable.Range(0, 7).Select(p => File.ReadAllBytes(Path.Combine(output, $"part-{p:D5}"))));
            Assert.Equal(File.ReadAllBytes(temp["rec/property"]), File.ReadAllBytes(Path.Combine(output, "property")));
        }
    }

    [Fact]
    public void Bad_records_are_skipped_and_reported_in_record_order_with_their_error_ids_for_any_number_of_workers()
    {
        using var temp = new TempFolder();
        TestImages.WriteFolder(temp["faces"], 12);
        using var folder = ImageFolderDataset.Open(temp["faces"]);
        using var source = new FaultyDataset(folder, i => i switch
        {
            1 or 9 => throw new DatasetFormatException(ErrorIds.RecordIOBadMagic, "train.rec", 100 * i, $"train.rec at offset {100 * i}: bad magic"),
            4 or 11 => new FaceSample([0xFF, 0xD8, 0, 0], 0, $"train.rec@{100 * i}"),
            _ => null,
        });

        foreach (var workers in WorkerCounts)
        {
            var skipped = new List<SkippedRecord>();
            var result = OFRecordWriter.Write(source, temp[$"w{workers}"], new OFRecordWriteOptions { Parts = 4, Shuffle = false, Workers = workers },
                skipped: skipped.Add);

            Assert.Equal((8, 4), (result.Records, result.Skipped));
            Assert.Equal([1, 4, 9, 11], skipped.Select(s => s.Index));
            Assert.Equal([ErrorIds.RecordIOBadMagic, ErrorIds.DatasetImageUndecodable, ErrorIds.RecordIOBadMagic, ErrorIds.DatasetImageUndecodable],
                skipped.Select(s => s.Error.ErrorId));
            Assert.Contains("train.rec@400 (record 4)", skipped[1].Error.Message);
            Assert.Equal([2, 2, 3, 1], Enumerable.Range(0, 4).Select(p => RawOFRecord.ReadPart(temp[$"w{workers}/part-{p:D5}"]).Count));
        }
    }

    [Fact]
    public void An_undecodable_recordio_record_is_skipped_with_the_message_that_names_its_offset()
    {
        using var temp = new TempFolder();
        var image = TestImages.Jpeg(1);
        var offsets = RawRecordIO.Write(temp["train.rec"], temp["train.idx"],
            RawRecordIO.Payload(0, 0, 0, [], image), RawRecordIO.Payload(0, 1, 1, [], [0xFF, 0xD8, 0xFF, 0xD9]), RawRecordIO.Payload(0, 1, 2, [], image));
        using var source = RecordIODataset.Open(temp["train.rec"]);
        var skipped = new List<SkippedRecord>();

        var result = OFRecordWriter.Write(source, temp["out"], new OFRecordWriteOptions { Parts = 2, Workers = 2 }, skipped: skipped.Add);

        Assert.Equal((2, 1), (result.Records, result.Skipped));
        var skip = Assert.Single(skipped);
        Assert.Equal(1, skip.Index);
        Assert.Equal(ErrorIds.DatasetImageUndecodable, skip.Error.ErrorId);
        Assert.Equal($"{temp["train.rec"]}@{offsets[1]}", skip.Error.FilePath);
        Assert.StartsWith($"{temp["train.rec"]}@{offsets[1]} (record 1): expected an encoded image", skip.Error.Message);
    }

    [Fact]
    public void A_failure_in_one_part_stops_every_worker_throws_that_failure_and_leaves_nothing()
    {
        using var temp = new TempFolder();
        TestImages.WriteFolder(temp["faces"], 10, 10, 10, 10);
        using var folder = ImageFolderDataset.Open(temp["faces"]);
        using var source = new FaultyDataset(folder, i => i == 35 ? throw new IOException("device not ready") : null);

        var e = Assert.Throws<IOException>(() =>
            OFRecordWriter.Write(source, temp["out"], new OFRecordWriteOptions { Parts = 4, Shuffle = false, Workers = 4 }));

        Assert.Equal("device not ready", e.Message);
        Assert.False(Directory.Exists(temp["out"]));
    }

    [Fact]
    public void A_skip_handler_that_throws_stops_every_worker_and_its_exception_is_the_one_thrown()
    {
        using var temp = new TempFolder();
        TestImages.WriteFolder(temp["faces"], 10, 10, 10, 10);
        using var folder = ImageFolderDataset.Open(temp["faces"]);
        using var source = new FaultyDataset(folder, i => i == 2 ? new FaceSample([1, 2, 3], 0, "bad") : null);

        var e = Assert.Throws<InvalidOperationException>(() => OFRecordWriter.Write(source, temp["out"],
            new OFRecordWriteOptions { Parts = 4, Shuffle = false, Workers = 3 }, skipped: _ => throw new InvalidOperationException("handler")));

        Assert.Equal("handler", e.Message);
        Assert.False(Directory.Exists(temp["out"]));
    }

    [Fact]
    public void Cancelling_with_several_workers_leaves_no_part_and_no_folder()
    {
        using var temp = new TempFolder();
        TestImages.WriteFolder(temp["faces"], 10, 10, 10, 10);
        using var folder = ImageFolderDataset.Open(temp["faces"]);
        using var cancellation = new CancellationTokenSource();
        var reads = 0;
        using var source = new FaultyDataset(folder, _ =>
        {
            if (++reads == 15) cancellation.Cancel();
            return null;
        });

        Assert.Throws<OperationCanceledException>(() => OFRecordWriter.Write(source, temp["out"],
            new OFRecordWriteOptions { Parts = 4, Workers = 2 }, cancellationToken: cancellation.Token));

        Assert.False(Directory.Exists(temp["out"]));
    }

    [Fact]
    public void A_negative_worker_count_is_refused()
    {
        using var temp = new TempFolder();
        TestImages.WriteFolder(temp["faces"], 1);
        using var source = ImageFolderDataset.Open(temp["faces"]);

        Assert.Throws<ArgumentOutOfRangeException>(() => OFRecordWriter.Write(source, temp["out"], new OFRecordWriteOptions { Workers = -1 }));
        Assert.False(Directory.Exists(temp["out"]));
    }

    /// <summary>
    /// The part files worked out independently of the writer: the seeded order split evenly, each record framed as an
    /// int64 length and the protobuf classes' encoding.
    /// </summary>
    private static List<byte[]> ExpectedParts(IFaceDataset source, int parts, long seed)
    {
        var order = SeededShuffle.Permutation(source.Count, seed);
        return Enumerable.Range(0, parts).Select(p =>
        {
            var bytes = new List<byte>();
            for (var position = order.Length * p / parts; position < order.Length * (p + 1) / parts; position++)
            {
                var sample = source.Read(order[position]);
                var body = RawOFRecord.Face(sample.Image, sample.Label).ToByteArray();
                var length = new byte[8];
                BinaryPrimitives.WriteInt64LittleEndian(length, body.Length);
                bytes.AddRange(length);
                bytes.AddRange(body);
            }
            return bytes.ToArray();
        }).ToList();
    }
}

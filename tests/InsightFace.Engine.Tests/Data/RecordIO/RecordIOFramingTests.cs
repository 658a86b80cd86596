using System.Buffers.Binary;
using InsightFace.Engine.Data.RecordIO;

namespace InsightFace.Engine.Tests.Data.RecordIO;

public class RecordIOFramingTests
{
    private static readonly byte[] MagicBytes = [0x0A, 0x23, 0xD7, 0xCE];

    [Fact]
    public void One_read_payloads_equal_the_plain_read_for_small_large_and_last_records()
    {
        using var temp = new TempFolder();
        var random = new Random(3);
        // Larger than the first read guesses (8 kB), then small again, and a record that ends the file.
        var payloads = new[] { 100, 20_000, 50, 70_000, 9 }.Select(n =>
        {
            var bytes = new byte[n];
            random.NextBytes(bytes);
            return bytes;
        }).ToArray();
        var offsets = RawRecordIO.Write(temp["a.rec"], null, payloads);
        using var rec = RecordIOFile.Open(temp["a.rec"]);

        for (var i = 0; i < payloads.Length; i++)
        {
            Assert.Equal(payloads[i], rec.ReadRecord(offsets[i], payload => payload.ToArray()));
            Assert.Equal(payloads[i], rec.ReadRecord(offsets[i]));
        }
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Images_read_up_to_the_next_indexed_record_equal_the_payloads_whatever_the_index_order(bool reversedIndex)
    {
        using var temp = new TempFolder();
        var random = new Random(4);
        // Sizes around the first guess (8 kB) and past the largest extent used (1 MB), in the file's order; the
        // index lists them in that order or reversed (then the next indexed record lies before, not after).
        var images = new[] { 100, 9_000, 3, 1_200_000, 4_100, 50 }.Select(n =>
        {
            var bytes = new byte[n];
            random.NextBytes(bytes);
            return bytes;
        }).ToArray();
        var offsets = RawRecordIO.Write(temp["train.rec"], null, [.. images.Select((image, i) => RawRecordIO.Payload(0, i, (ulong)i, [], image))]);
        var keys = Enumerable.Range(0, images.Length).ToArray();
        if (reversedIndex) Array.Reverse(keys);
        File.WriteAllLines(temp["train.idx"], keys.Select(k => $"{k}\t{offsets[k]}"));
        using var dataset = RecordIODataset.Open(temp["train.rec"]);

        for (var i = 0; i < images.Length; i++)
        {
            var key = keys[i];
            var (image, label) = dataset.Read(i, (image, label) => (image.ToArray(), label));
            Assert.Equal(images[key], image);
            Assert.Equal(key, label);
            Assert.Equal(images[key], dataset.Read(i).Image);
        }
    }

    [Fact]
    public void One_read_of_a_truncated_last_record_is_reported_as_truncated()
    {
        using var temp = new TempFolder();
        RawRecordIO.Write(temp["a.rec"], null, new byte[40], new byte[400]);
        var bytes = File.ReadAllBytes(temp["a.rec"]);
        File.WriteAllBytes(temp["a.rec"], bytes[..^100]);
        using var rec = RecordIOFile.Open(temp["a.rec"]);

        var e = Assert.Throws<InsightFace.Engine.Data.DatasetFormatException>(() => rec.ReadRecord(48, payload => payload.Length));
        Assert.Equal(ErrorIds.RecordIOTruncated, e.ErrorId);
        Assert.Equal(48, e.Offset);
    }

    [Theory]
    [InlineData(0, 0)]
    [InlineData(1, 3)]
    [InlineData(2, 2)]
    [InlineData(3, 1)]
    [InlineData(4, 0)]
    [InlineData(5, 3)]
    public void Chunks_are_padded_to_4_bytes_and_read_back(int length, int padding)
    {
        using var temp = new TempFolder();
        var first = Enumerable.Range(1, length).Select(i => (byte)i).ToArray();
        var second = new byte[] { 9, 8, 7 };
        File.WriteAllBytes(temp["a.rec"], RawRecordIO.Concat(RawRecordIO.Chunk(0, first), RawRecordIO.Chunk(0, second)));
        using var rec = RecordIOFile.Open(temp["a.rec"]);

        Assert.Equal(padding, RecordIOFile.Padding(length));
        Assert.Equal([0L, 8 + length + padding], rec.ScanRecordOffsets());
        Assert.Equal(first, rec.ReadRecord(0));
        Assert.Equal(second, rec.ReadRecord(8 + length + padding));
    }

    [Fact]
    public void Split_records_are_joined_with_the_dropped_magic_put_back()
    {
        using var temp = new TempFolder();
        // Payload "AAAA MAGIC BBBB MAGIC CC", written by hand as dmlc would: chunks cflag 1, 2, 3.
        byte[] a = [1, 1, 1, 1], b = [2, 2, 2, 2], c = [3, 3];
        File.WriteAllBytes(temp["s.rec"], RawRecordIO.Concat(
            RawRecordIO.Chunk(1, a), RawRecordIO.Chunk(2, b), RawRecordIO.Chunk(3, c), RawRecordIO.Chunk(0, [5])));
        using var rec = RecordIOFile.Open(temp["s.rec"]);

        Assert.Equal(RawRecordIO.Concat(a, MagicBytes, b, MagicBytes, c), rec.ReadRecord(0));
        Assert.Equal([0L, 36], rec.ScanRecordOffsets()); // 3 chunks of 8 + 4 bytes
        Assert.Equal([5], rec.ReadRecord(36));
    }

    [Fact]
    public void Writer_splits_at_aligned_magic_only_as_dmlc_does()
    {
        // Magic at 0 (empty first chunk), at 8 (aligned) and at 14 (unaligned: kept inside the data).
        var payload = RawRecordIO.Concat(MagicBytes, [1, 2, 3, 4], MagicBytes, [5, 6], MagicBytes, [7]);
        using var stream = new MemoryStream();
        Assert.Equal(0, new RecordIOWriter(stream).Write(payload));

        var expected = RawRecordIO.Concat(
            RawRecordIO.Chunk(1, []),
            RawRecordIO.Chunk(2, [1, 2, 3, 4]),
            RawRecordIO.Chunk(3, RawRecordIO.Concat([5, 6], MagicBytes, [7])));
        Assert.Equal(expected, stream.ToArray());

        using var temp = new TempFolder();
        File.WriteAllBytes(temp["w.rec"], stream.ToArray());
        using var rec = RecordIOFile.Open(temp["w.rec"]);
        Assert.Equal(payload, rec.ReadRecord(0));
    }

    [Fact]
    public void Zero_length_records_are_legal()
    {
        using var stream = new MemoryStream();
        var writer = new RecordIOWriter(stream);
        writer.Write([]);
        var second = writer.Write([42]);

        Assert.Equal(8, second);
        Assert.Equal(RawRecordIO.Concat(RawRecordIO.Chunk(0, []), RawRecordIO.Chunk(0, [42])), stream.ToArray());
    }

    [Fact]
    public void IRHeader_reads_flag_label_ids_and_the_extra_float_labels()
    {
        var image = new byte[] { 0xFF, 0xD8, 0xFF };
        var payload = RawRecordIO.Payload(3, 0f, 77, [12f, 1f, 0.5f], image);
        BinaryPrimitives.WriteUInt64LittleEndian(payload.AsSpan(16), 5);

        var header = IRHeader.Parse(payload, "x.rec", 0);

        Assert.Equal(3u, header.Flag);
        Assert.Equal(77ul, header.Id);
        Assert.Equal(5ul, header.Id2);
        Assert.Equal([12f, 1f, 0.5f], header.ExtraLabels);
        Assert.Equal(12f, header.ClassLabel);
        Assert.Equal(36, header.EncodedLength);
        Assert.Equal(image, payload[header.EncodedLength..]);
    }

    [Fact]
    public void IRHeader_pack_matches_mxnet_pack_byte_for_byte()
    {
        var image = new byte[] { 1, 2, 3 };
        // recordio.pack writes flag = len(label) and 0 in the scalar label slot when the label is a list.
        Assert.Equal(RawRecordIO.Payload(2, 0f, 9, [4f, 1f], image), new IRHeader(0, 7f, 9, 0, [4f, 1f]).Pack(image));
        Assert.Equal(RawRecordIO.Payload(0, 7f, 9, [], image), new IRHeader(0, 7f, 9, 0, []).Pack(image));
    }
}

using InsightFace.Engine.Data;
using InsightFace.Engine.Data.RecordIO;

namespace InsightFace.Engine.Tests.Data.RecordIO;

public class RecordIOBadInputTests
{
    private static byte[] Image(int seed) => RawRecordIO.Payload(0, seed % 2, (ulong)seed, [], TestImages.Jpeg(seed));

    [Fact]
    public void A_truncated_rec_names_the_file_and_the_record_offset()
    {
        using var temp = new TempFolder();
        var offsets = RawRecordIO.Write(temp["train.rec"], temp["train.idx"], Image(0), Image(1));
        var bytes = File.ReadAllBytes(temp["train.rec"]);
        File.WriteAllBytes(temp["train.rec"], bytes[..^20]);
        using var dataset = RecordIODataset.Open(temp["train.rec"]);

        dataset.Read(0);
        var e = Assert.Throws<DatasetFormatException>(() => dataset.Read(1));
        Assert.Equal(ErrorIds.RecordIOTruncated, e.ErrorId);
        Assert.Equal(offsets[1], e.Offset);
        Assert.Equal(temp["train.rec"], e.FilePath);
        Assert.Contains($"{temp["train.rec"]} at offset {offsets[1]}", e.Message);
    }

    [Fact]
    public void A_truncated_rec_without_idx_fails_when_scanned()
    {
        using var temp = new TempFolder();
        var offsets = RawRecordIO.Write(temp["train.rec"], null, Image(0), Image(1));
        File.WriteAllBytes(temp["train.rec"], File.ReadAllBytes(temp["train.rec"])[..(int)(offsets[1] + 5)]);

        var e = Assert.Throws<DatasetFormatException>(() => RecordIODataset.Open(temp["train.rec"]));
        Assert.Equal(ErrorIds.RecordIOTruncated, e.ErrorId);
        Assert.Equal(offsets[1], e.Offset);
    }

    [Fact]
    public void A_bad_magic_number_is_reported_at_its_offset()
    {
        using var temp = new TempFolder();
        var offsets = RawRecordIO.Write(temp["train.rec"], null, Image(0), Image(1), Image(2));
        var bytes = File.ReadAllBytes(temp["train.rec"]);
        bytes[offsets[2]] ^= 0xFF;
        File.WriteAllBytes(temp["train.rec"], bytes);

        var e = Assert.Throws<DatasetFormatException>(() => RecordIODataset.Open(temp["train.rec"]));
        Assert.Equal(ErrorIds.RecordIOBadMagic, e.ErrorId);
        Assert.Equal(offsets[2], e.Offset);
        Assert.Contains($"at offset {offsets[2]}: expected the RecordIO magic 0xCED7230A, found 0xCED723F5", e.Message);
    }

    [Fact]
    public void An_idx_offset_past_the_end_of_the_rec_is_rejected_on_open()
    {
        using var temp = new TempFolder();
        RawRecordIO.Write(temp["train.rec"], null, Image(0));
        var length = new FileInfo(temp["train.rec"]).Length;
        File.WriteAllText(temp["train.idx"], $"0\t0\n1\t{length + 64}\n");

        var e = Assert.Throws<DatasetFormatException>(() => RecordIODataset.Open(temp["train.rec"]));
        Assert.Equal(ErrorIds.RecordIOIndexPastEnd, e.ErrorId);
        Assert.Equal(temp["train.idx"], e.FilePath);
        Assert.Equal(length + 64, e.Offset);
        Assert.Contains($"line 2: key 1 points at offset {length + 64}", e.Message);
        Assert.Contains($"only {length} bytes long", e.Message);
    }

    [Fact]
    public void An_unaligned_idx_offset_is_between_records()
    {
        using var temp = new TempFolder();
        RawRecordIO.Write(temp["train.rec"], null, Image(0), Image(1));
        File.WriteAllText(temp["train.idx"], "0\t0\n1\t30\n");

        var e = Assert.Throws<DatasetFormatException>(() => RecordIODataset.Open(temp["train.rec"]));
        Assert.Equal(ErrorIds.RecordIOIndexBetweenRecords, e.ErrorId);
        Assert.Equal(30, e.Offset);
        Assert.Contains("key 1 points at offset 30", e.Message);
    }

    [Fact]
    public void An_aligned_idx_offset_inside_a_record_is_between_records()
    {
        using var temp = new TempFolder();
        RawRecordIO.Write(temp["train.rec"], null, Image(0), Image(1));
        File.WriteAllText(temp["train.idx"], "0\t0\n1\t32\n");
        using var dataset = RecordIODataset.Open(temp["train.rec"]);

        var e = Assert.Throws<DatasetFormatException>(() => dataset.Read(1));
        Assert.Equal(ErrorIds.RecordIOIndexBetweenRecords, e.ErrorId);
        Assert.Equal(temp["train.idx"], e.FilePath);
        Assert.Equal(32, e.Offset);
        Assert.Contains($"points at offset 32 of {temp["train.rec"]}, which is not the start of a record", e.Message);
    }

    [Fact]
    public void Counting_classes_through_an_idx_offset_inside_a_record_is_between_records()
    {
        using var temp = new TempFolder();
        RawRecordIO.Write(temp["train.rec"], null, Image(0), Image(1));
        File.WriteAllText(temp["train.idx"], "0\t0\n1\t32\n");
        using var dataset = RecordIODataset.Open(temp["train.rec"]);

        var e = Assert.Throws<DatasetFormatException>(() => dataset.NumClasses);
        Assert.Equal(ErrorIds.RecordIOIndexBetweenRecords, e.ErrorId);
        Assert.Equal(32, e.Offset);
    }

    [Fact]
    public void A_malformed_idx_line_names_the_line()
    {
        using var temp = new TempFolder();
        RawRecordIO.Write(temp["train.rec"], null, Image(0));
        File.WriteAllText(temp["train.idx"], "0\tzero\n");

        var e = Assert.Throws<DatasetFormatException>(() => RecordIODataset.Open(temp["train.rec"]));
        Assert.Equal(ErrorIds.RecordIOIndexInvalid, e.ErrorId);
        Assert.Contains("line 1", e.Message);
    }

    [Fact]
    public void A_payload_shorter_than_its_header_is_invalid()
    {
        using var temp = new TempFolder();
        RawRecordIO.Write(temp["train.rec"], temp["train.idx"], [1, 2, 3]);

        var e = Assert.Throws<DatasetFormatException>(() => RecordIODataset.Open(temp["train.rec"]).Read(0));
        Assert.Equal(ErrorIds.RecordIOHeaderInvalid, e.ErrorId);
        Assert.Contains("24-byte IRHeader", e.Message);
    }

    [Fact]
    public void A_continuation_chunk_without_a_first_chunk_is_invalid()
    {
        using var temp = new TempFolder();
        File.WriteAllBytes(temp["train.rec"], RawRecordIO.Chunk(2, Image(0)));

        var e = Assert.Throws<DatasetFormatException>(() => RecordIODataset.Open(temp["train.rec"]));
        Assert.Equal(ErrorIds.RecordIOSplitInvalid, e.ErrorId);
        Assert.Equal(0, e.Offset);
    }

    [Fact]
    public void A_malformed_property_file_is_rejected()
    {
        using var temp = new TempFolder();
        RawRecordIO.Write(temp["train.rec"], temp["train.idx"], Image(0));
        File.WriteAllText(temp["property"], "85742;112;112\n");

        var e = Assert.Throws<DatasetFormatException>(() => RecordIODataset.Open(temp["train.rec"]));
        Assert.Equal(ErrorIds.DatasetPropertyInvalid, e.ErrorId);
        Assert.Contains("num_classes,height,width", e.Message);
    }

    [Fact]
    public void Property_gives_classes_and_size_and_later_lines_are_ignored()
    {
        using var temp = new TempFolder();
        RawRecordIO.Write(temp["train.rec"], temp["train.idx"], Image(0), Image(1));
        File.WriteAllText(temp["property"], "85742,112,96\n2\n");
        using var dataset = RecordIODataset.Open(temp["train.rec"]);

        Assert.Equal(85742, dataset.NumClasses);
        Assert.Equal(new ImageSize(112, 96), dataset.Info.ImageSize);
        Assert.Equal(temp["property"], dataset.Info.PropertyPath);
    }

    [Fact]
    public void A_header_record_with_one_label_is_invalid()
    {
        using var temp = new TempFolder();
        var offsets = RawRecordIO.Write(temp["train.rec"], temp["train.idx"], RawRecordIO.Payload(1, 0, 0, [3f], []), Image(1));

        var e = Assert.Throws<DatasetFormatException>(() => RecordIODataset.Open(temp["train.rec"]));
        Assert.Equal(ErrorIds.RecordIOHeaderInvalid, e.ErrorId);
        Assert.Equal(temp["train.rec"], e.FilePath);
        Assert.Equal(offsets[0], e.Offset);
        Assert.Contains("[first identity key, end]", e.Message);
    }

    [Fact]
    public void A_header_record_naming_a_missing_image_key_is_an_error()
    {
        using var temp = new TempFolder();
        RawRecordIO.Write(temp["train.rec"], temp["train.idx"], RawRecordIO.Payload(2, 0, 0, [4f, 5f], []), Image(1), Image(2));

        var e = Assert.Throws<DatasetFormatException>(() => RecordIODataset.Open(temp["train.rec"]));
        Assert.Equal(ErrorIds.RecordIOKeyMissing, e.ErrorId);
        Assert.Contains("images are keys 1..3, but key 3 is missing", e.Message);
    }
}

using System.Buffers.Binary;
using Google.Protobuf;
using InsightFace.Engine.Data;
using InsightFace.Engine.Data.OFRecord;
using InsightFace.Engine.Data.OFRecord.Proto;
using OFRecordMessage = InsightFace.Engine.Data.OFRecord.Proto.OFRecord;
using InsightFace.Engine.Tests.Support;

namespace InsightFace.Engine.Tests.Data.OFRecord;

public class OFRecordReaderTests
{
    [FixtureFact("ofrecord-oneflow-mnist")]
    public void OneFlows_own_part_reads_as_exactly_3_records_with_the_right_keys_and_types()
    {
        using var dataset = OFRecordDataset.Open(Fixtures.Path("ofrecord-oneflow-mnist"));

        Assert.Equal(3, dataset.Count);
        Assert.Equal([Fixtures.Path("ofrecord-oneflow-mnist", "part-0")], dataset.PartPaths);
        var labels = new List<long>();
        for (var i = 0; i < 3; i++)
        {
            var features = dataset.ReadFeatures(i);
            Assert.Equal(["images", "labels"], features.Keys.Order(StringComparer.Ordinal));
            Assert.Equal(OFRecordFeatureKind.Float, features["images"].Kind);
            Assert.Equal(784, features["images"].Count);
            Assert.Equal(OFRecordFeatureKind.Int64, features["labels"].Kind);
            labels.Add(Assert.Single(features["labels"].Integers));
        }
        Assert.Equal([1L, 2, 1], labels);
        // 3 records of 8 + 3173 bytes use the whole file: nothing left over.
        Assert.Equal(3 * (8 + 3173), new FileInfo(dataset.PartPaths[0]).Length);
    }

    [FixtureFact("ofrecord-oneflow-mnist")]
    public void A_record_without_the_face_features_is_an_error_naming_the_keys_it_has()
    {
        using var dataset = OFRecordDataset.Open(Fixtures.Path("ofrecord-oneflow-mnist"));

        var e = Assert.Throws<DatasetFormatException>(() => dataset.Read(1));
        Assert.Equal(ErrorIds.OFRecordFeatureInvalid, e.ErrorId);
        Assert.Equal(3181, e.Offset);
        Assert.Contains("a feature 'encoded', found only [images, labels]", e.Message);
        Assert.Null(dataset.Info.ImageSize);
    }

    [FixtureFact("ofrecord-oneflow-mnist")]
    public void Feature_keys_can_be_named()
    {
        using var dataset = OFRecordDataset.Open(Fixtures.Path("ofrecord-oneflow-mnist"), imageKey: "images", labelKey: "labels");

        var e = Assert.Throws<DatasetFormatException>(() => dataset.Read(0));
        Assert.Contains("feature 'images' to be a bytes_list with one encoded image, found Float with 784 value(s)", e.Message);
        Assert.Equal(3, dataset.NumClasses); // largest label 2, plus one
    }

    [Fact]
    public void Parts_of_any_suffix_length_are_read_in_part_number_order()
    {
        using var temp = new TempFolder();
        for (var p = 0; p < 11; p++)
            RawOFRecord.WritePart(temp[$"part-{p}"], RawOFRecord.Face(TestImages.Jpeg(p), p));
        File.WriteAllText(temp["_SUCCESS"], "");
        using var dataset = OFRecordDataset.Open(temp.Path);

        Assert.Equal(11, dataset.Info.Parts);
        Assert.Equal(Enumerable.Range(0, 11), Enumerable.Range(0, 11).Select(i => dataset.Read(i).Label));
        Assert.Equal(TestImages.Jpeg(10), dataset.Read(10).Image);
    }

    [Fact]
    public void Labels_may_be_int32_or_int64_and_empty_parts_are_fine()
    {
        using var temp = new TempFolder();
        var int64 = RawOFRecord.Face(TestImages.Jpeg(1), 0);
        int64.Feature["label"] = new Feature { Int64List = new Int64List { Value = { 7L } } };
        RawOFRecord.WritePart(temp["part-00000"], RawOFRecord.Face(TestImages.Jpeg(0), 3));
        RawOFRecord.WritePart(temp["part-00001"]);
        RawOFRecord.WritePart(temp["part-00002"], int64);
        using var dataset = OFRecordDataset.Open(temp.Path);

        Assert.Equal(2, dataset.Count);
        Assert.Equal(3, dataset.Read(0).Label);
        Assert.Equal(7, dataset.Read(1).Label);
        Assert.Equal(TestImages.Jpeg(1), dataset.Read(1).Image);
        Assert.Equal(8, dataset.NumClasses);
        Assert.Equal(new ImageSize(16, 16), dataset.Info.ImageSize);
    }

    [Fact]
    public void A_truncated_part_names_the_file_and_the_record_offset()
    {
        using var temp = new TempFolder();
        RawOFRecord.WritePart(temp["part-00000"], RawOFRecord.Face(TestImages.Jpeg(0), 0), RawOFRecord.Face(TestImages.Jpeg(1), 1));
        var bytes = File.ReadAllBytes(temp["part-00000"]);
        var second = 8 + (int)BinaryPrimitives.ReadInt64LittleEndian(bytes);
        File.WriteAllBytes(temp["part-00000"], bytes[..^3]);

        var e = Assert.Throws<DatasetFormatException>(() => OFRecordDataset.Open(temp.Path));
        Assert.Equal(ErrorIds.OFRecordTruncated, e.ErrorId);
        Assert.Equal(second, e.Offset);
        Assert.Contains($"{temp["part-00000"]} at offset {second}", e.Message);
    }

    [Fact]
    public void A_non_positive_length_is_invalid()
    {
        using var temp = new TempFolder();
        File.WriteAllBytes(temp["part-0"], new byte[8]);

        var e = Assert.Throws<DatasetFormatException>(() => OFRecordDataset.Open(temp.Path));
        Assert.Equal(ErrorIds.OFRecordLengthInvalid, e.ErrorId);
        Assert.Equal(0, e.Offset);
    }

    [Fact]
    public void A_body_that_is_not_protobuf_is_invalid_when_read()
    {
        using var temp = new TempFolder();
        var garbage = new byte[] { 8, 0, 0, 0, 0, 0, 0, 0, 0x0A, 0xFF, 0xFF, 0xFF, 0xFF, 0x0F, 0, 0 };
        File.WriteAllBytes(temp["part-0"], garbage);
        using var dataset = OFRecordDataset.Open(temp.Path);

        var e = Assert.Throws<DatasetFormatException>(() => dataset.ReadFeatures(0));
        Assert.Equal(ErrorIds.OFRecordInvalid, e.ErrorId);
        Assert.Equal(0, e.Offset);
    }

    [Fact]
    public void A_label_beyond_property_is_an_error()
    {
        using var temp = new TempFolder();
        RawOFRecord.WritePart(temp["part-00000"], RawOFRecord.Face(TestImages.Jpeg(0), 1), RawOFRecord.Face(TestImages.Jpeg(1), 5));
        File.WriteAllText(temp["property"], "5,112,112\n");
        using var dataset = OFRecordDataset.Open(temp.Path);

        Assert.Equal(1, dataset.Read(0).Label);
        var e = Assert.Throws<DatasetFormatException>(() => dataset.Read(1));
        Assert.Equal(ErrorIds.DatasetLabelOutOfRange, e.ErrorId);
        var second = 8 + BitConverter.ToInt64(File.ReadAllBytes(temp["part-00000"]), 0);
        Assert.Equal(second, e.Offset);
        Assert.Contains($"{temp["part-00000"]} at offset {second} (record 1): expected a label below 5", e.Message);
        Assert.Equal($"{temp["part-00000"]}@0", dataset.Read(0).Origin);
    }

    [Fact]
    public void A_folder_without_parts_is_not_found()
    {
        using var temp = new TempFolder();
        var e = Assert.Throws<DatasetNotFoundException>(() => OFRecordDataset.Open(temp.Path));
        Assert.Equal(ErrorIds.DatasetNotFound, e.ErrorId);
    }

    [Fact]
    public void Validation_sets_are_found_beside_the_parts_and_in_oneflows_sibling_val_folder()
    {
        using var temp = new TempFolder();
        Directory.CreateDirectory(temp["train"]);
        Directory.CreateDirectory(temp["val"]);
        RawOFRecord.WritePart(temp["train/part-00000"], RawOFRecord.Face(TestImages.Jpeg(0), 0));
        File.WriteAllBytes(temp["train/lfw.bin"], [0]);
        File.WriteAllBytes(temp["val/agedb_30.bin"], [0]);
        using var dataset = OFRecordDataset.Open(temp["train"]);

        Assert.Equal([temp["train/lfw.bin"], temp["val/agedb_30.bin"]], dataset.Info.ValidationTargets);
    }

    [Fact]
    public void Unpacked_label_encoding_is_accepted_as_proto2_requires()
    {
        using var temp = new TempFolder();
        // feature "label" = int32_list with value 4 written unpacked (tag 0x08 varint) instead of packed.
        var image = RawOFRecord.Face(TestImages.Jpeg(0), 0);
        image.Feature.Remove("label");
        var body = image.ToByteArray().Concat(new byte[] { 0x0A, 0x0D, 0x0A, 0x05, (byte)'l', (byte)'a', (byte)'b', (byte)'e', (byte)'l', 0x12, 0x04, 0x22, 0x02, 0x08, 0x04 }).ToArray();
        var framed = new byte[8 + body.Length];
        BinaryPrimitives.WriteInt64LittleEndian(framed, body.Length);
        body.CopyTo(framed, 8);
        File.WriteAllBytes(temp["part-0"], framed);
        using var dataset = OFRecordDataset.Open(temp.Path);

        Assert.Equal(4, dataset.Read(0).Label);
    }
}

using System.Globalization;
using InsightFace.Engine.Data;
using InsightFace.Engine.Data.RecordIO;
using InsightFace.Engine.Tests.Support;

namespace InsightFace.Engine.Tests.Data.RecordIO;

/// <summary>The im2rec file MXNet wrote (plain layout, flag 0, keys not in file order).</summary>
public class RecordIOFixtureTests
{
    private const string Folder = "mxnet-im2rec-8faces";

    private static (int Key, int Label, string Path)[] ListFile() =>
        File.ReadAllLines(Fixtures.Path(Folder, "train.lst"))
            .Select(line => line.Split('\t'))
            .Select(f => (int.Parse(f[0], CultureInfo.InvariantCulture), (int)float.Parse(f[1], CultureInfo.InvariantCulture),
                Fixtures.Path(Folder, "faces_webface_112x112", f[2])))
            .ToArray();

    [FixtureFact(Folder)]
    public void Im2rec_file_reads_as_8_images_with_the_lst_labels_and_the_source_jpeg_bytes()
    {
        using var dataset = RecordIODataset.Open(Fixtures.Path(Folder, "train.rec"));
        var expected = ListFile().ToDictionary(e => e.Key);

        Assert.Equal(8, dataset.Count);
        Assert.Null(dataset.Header);
        for (var i = 0; i < dataset.Count; i++)
        {
            var record = dataset.ReadRecord(i);
            var sample = dataset.Read(i);
            var source = expected[record.Key];
            Assert.Equal(0u, record.Header.Flag);
            Assert.Equal((ulong)record.Key, record.Header.Id);
            Assert.Equal(0ul, record.Header.Id2);
            Assert.Empty(record.Header.ExtraLabels);
            Assert.Equal(source.Label, sample.Label);
            Assert.Equal(File.ReadAllBytes(source.Path), sample.Image);
        }
        // Index order, not key order: the idx lists keys 0,4,7,5,1,6,3,2.
        Assert.Equal([0, 4, 7, 5, 1, 6, 3, 2], Enumerable.Range(0, 8).Select(i => dataset.ReadRecord(i).Key));
    }

    [FixtureFact(Folder)]
    public void Im2rec_file_describes_itself_without_a_property_file()
    {
        using var dataset = RecordIODataset.Open(Fixtures.Path(Folder, "train.rec"));

        Assert.Equal(DatasetFormat.RecordIO, dataset.Info.Format);
        Assert.Equal(new ImageSize(112, 112), dataset.Info.ImageSize);
        Assert.Null(dataset.Info.PropertyPath);
        Assert.Equal(1, dataset.Info.Parts);
        Assert.Equal(2, dataset.NumClasses); // labels 0 and 1, found by reading the headers
        Assert.Equal(5500, dataset.ReadRecord(1).Offset);
    }

    [FixtureFact(Folder)]
    public void Without_its_idx_the_rec_is_scanned_and_keys_come_from_the_header_ids()
    {
        using var temp = new TempFolder();
        File.Copy(Fixtures.Path(Folder, "train.rec"), temp["train.rec"]);
        using var scanned = RecordIODataset.Open(temp["train.rec"]);
        using var indexed = RecordIODataset.Open(Fixtures.Path(Folder, "train.rec"));

        Assert.Equal(indexed.Count, scanned.Count);
        for (var i = 0; i < scanned.Count; i++)
        {
            Assert.Equal(indexed.ReadRecord(i).Key, scanned.ReadRecord(i).Key);
            Assert.Equal(indexed.ReadRecord(i).Offset, scanned.ReadRecord(i).Offset);
            Assert.Equal(indexed.Read(i).Image, scanned.Read(i).Image);
        }
    }

    [FixtureFact(Folder)]
    public void A_label_that_disagrees_with_property_is_an_error_naming_the_file_and_offset()
    {
        using var temp = new TempFolder();
        File.Copy(Fixtures.Path(Folder, "train.rec"), temp["train.rec"]);
        File.Copy(Fixtures.Path(Folder, "train.idx"), temp["train.idx"]);
        File.WriteAllText(temp["property"], "1,112,112\n");
        using var dataset = RecordIODataset.Open(temp["train.rec"]);

        Assert.Equal(1, dataset.NumClasses);
        Assert.Equal(0, dataset.Read(0).Label); // key 0 is a man: label 0 is fine
        var e = Assert.Throws<DatasetFormatException>(() => dataset.Read(1)); // key 4, a woman: label 1
        Assert.Equal(ErrorIds.DatasetLabelOutOfRange, e.ErrorId);
        Assert.Equal(5500, e.Offset);
        Assert.Contains(temp["train.rec"], e.Message);
        Assert.Contains("offset 5500", e.Message);
        Assert.Contains(temp["property"], e.Message);
    }
}

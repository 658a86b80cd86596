using InsightFace.Engine.Data;
using InsightFace.Engine.Data.Synthetic;
using InsightFace.Engine.Tests.Support;

namespace InsightFace.Engine.Tests.Data;

public class DatasetSummaryTests
{
    [FixtureFact("mxnet-im2rec-8faces")]
    public void A_train_rec_is_named_after_its_folder_and_opened_from_it()
    {
        using var dataset = DatasetOpener.Open(Fixtures.Path("mxnet-im2rec-8faces", "train.rec"));

        var summary = DatasetSummary.Of(dataset);

        Assert.Equal("mxnet-im2rec-8faces", summary.Name);
        Assert.Equal(DatasetFormat.RecordIO, summary.Format);
        Assert.Equal(Fixtures.Path("mxnet-im2rec-8faces"), summary.DatasetPath);
        Assert.Equal((2, 8, 1), (summary.NumClasses, summary.NumImages, summary.Parts));
        Assert.Equal(new ImageSize(112, 112), summary.ImageSize);
    }

    [FixtureFact("mxnet-im2rec-8faces")]
    public void Another_rec_keeps_its_own_path_so_that_it_opens_again()
    {
        using var temp = new TempFolder();
        File.Copy(Fixtures.Path("mxnet-im2rec-8faces", "train.rec"), temp["faces.rec"]);
        File.Copy(Fixtures.Path("mxnet-im2rec-8faces", "train.idx"), temp["faces.idx"]);
        using var dataset = DatasetOpener.Open(temp["faces.rec"]);

        var summary = DatasetSummary.Of(dataset);

        Assert.Equal("faces", summary.Name);
        Assert.Equal(temp["faces.rec"], summary.DatasetPath);
        using var again = DatasetOpener.Open(summary.DatasetPath);
        Assert.Equal(8, again.Count);
    }

    [Fact]
    public void A_synthetic_set_is_named_synthetic_and_described_by_its_spec()
    {
        using var dataset = new SyntheticFaceDataset(3, 2, seed: 1);

        var summary = DatasetSummary.Of(dataset);

        Assert.Equal("synthetic", summary.Name);
        Assert.Equal(DatasetFormat.Synthetic, summary.Format);
        Assert.StartsWith(SyntheticFaceDataset.SpecPrefix, summary.DatasetPath);
        Assert.Equal((3, 6, 0), (summary.NumClasses, summary.NumImages, summary.Parts));
    }
}

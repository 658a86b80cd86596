using InsightFace.Engine.Data;
using InsightFace.Engine.Data.ImageFolder;
using InsightFace.Engine.Data.OFRecord;
using InsightFace.Engine.Data.RecordIO;
using InsightFace.Engine.Tests.Support;

namespace InsightFace.Engine.Tests.Data;

public class DatasetOpenerTests
{
    [FixtureFact("mxnet-im2rec-8faces")]
    public void A_rec_or_idx_file_opens_as_RecordIO()
    {
        using var fromRec = DatasetOpener.Open(Fixtures.Path("mxnet-im2rec-8faces", "train.rec"));
        using var fromIdx = DatasetOpener.Open(Fixtures.Path("mxnet-im2rec-8faces", "train.idx"));

        Assert.IsType<RecordIODataset>(fromRec);
        Assert.IsType<RecordIODataset>(fromIdx);
        Assert.Equal(8, fromIdx.Count);
    }

    [FixtureFact("mxnet-im2rec-8faces")]
    public void A_folder_of_identity_folders_opens_as_an_image_folder()
    {
        using var dataset = DatasetOpener.Open(Fixtures.Path("mxnet-im2rec-8faces", "faces_webface_112x112"));

        Assert.IsType<ImageFolderDataset>(dataset);
        Assert.Equal(2, dataset.NumClasses);
        Assert.Equal(8, dataset.Count);
    }

    [FixtureFact("ofrecord-oneflow-mnist")]
    public void A_folder_or_file_of_parts_opens_as_OFRecord()
    {
        using var fromFolder = DatasetOpener.Open(Fixtures.Path("ofrecord-oneflow-mnist"));
        using var fromPart = DatasetOpener.Open(Fixtures.Path("ofrecord-oneflow-mnist", "part-0"));

        Assert.IsType<OFRecordDataset>(fromFolder);
        Assert.Equal(3, fromPart.Count);
    }

    [Fact]
    public void A_folder_with_train_rec_opens_as_RecordIO_and_format_can_be_forced()
    {
        using var temp = new TempFolder();
        TestImages.WriteFolder(temp.Path, 1, 1);
        // Into the image folder itself: it holds other files (the identities), which Force writes beside.
        using (var folder = ImageFolderDataset.Open(temp.Path)) FaceRecordIOWriter.Write(folder, temp.Path, force: true);

        using var auto = DatasetOpener.Open(temp.Path);
        using var forced = DatasetOpener.Open(temp.Path, DatasetFormat.ImageFolder);
        Assert.IsType<RecordIODataset>(auto);
        Assert.IsType<ImageFolderDataset>(forced);
    }

    [Fact]
    public void Paths_that_hold_no_dataset_are_not_found()
    {
        using var temp = new TempFolder();
        File.WriteAllText(temp["notes.txt"], "");

        Assert.Equal(ErrorIds.DatasetNotFound, Assert.Throws<DatasetNotFoundException>(() => DatasetOpener.Open(temp["missing"])).ErrorId);
        Assert.Equal(ErrorIds.DatasetNotFound, Assert.Throws<DatasetNotFoundException>(() => DatasetOpener.Open(temp["notes.txt"])).ErrorId);
        Assert.Equal(ErrorIds.ImageFolderEmpty, Assert.Throws<DatasetNotFoundException>(() => DatasetOpener.Open(temp.Path)).ErrorId);
    }
}

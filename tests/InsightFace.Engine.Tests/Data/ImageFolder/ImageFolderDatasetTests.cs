using InsightFace.Engine.Data;
using InsightFace.Engine.Data.ImageFolder;
using InsightFace.Engine.Tests.Support;

namespace InsightFace.Engine.Tests.Data.ImageFolder;

public class ImageFolderDatasetTests
{
    [FixtureFact("orl-faces-112")]
    public void Orl_faces_read_as_40_classes_and_400_images_labelled_in_ordinal_folder_order()
    {
        using var dataset = ImageFolderDataset.Open(Fixtures.Path("orl-faces-112"));

        Assert.Equal(40, dataset.NumClasses);
        Assert.Equal(400, dataset.Count);
        Assert.Equal(DatasetFormat.ImageFolder, dataset.Info.Format);
        Assert.Equal(new ImageSize(112, 112), dataset.Info.ImageSize);
        // Ordinal order: s1, s10, s11, ..., s19, s2, s20, ...
        Assert.Equal(["s1", "s10", "s11"], dataset.Identities.Take(3));
        Assert.Equal("s2", dataset.Identities[11]);
        var sample = dataset.Read(10);
        Assert.Equal(1, sample.Label);
        Assert.Equal(Fixtures.Path("orl-faces-112", "s10", "1.jpg"), sample.Origin);
        Assert.Equal(File.ReadAllBytes(sample.Origin), sample.Image);
        Assert.All(Enumerable.Range(0, 40), label =>
            Assert.Equal(10, Enumerable.Range(0, 400).Count(i => dataset.Read(i).Label == label)));
    }

    [Fact]
    public void Jpeg_and_png_in_any_case_are_images_and_other_files_are_not()
    {
        using var temp = new TempFolder();
        Directory.CreateDirectory(temp["b"]);
        Directory.CreateDirectory(temp["a"]);
        File.WriteAllBytes(temp["a/2.PNG"], TestImages.Png(1));
        File.WriteAllBytes(temp["a/1.jpeg"], TestImages.Jpeg(2));
        File.WriteAllText(temp["a/notes.txt"], "not an image");
        File.WriteAllBytes(temp["b/x.JPG"], TestImages.Jpeg(3));
        File.WriteAllBytes(temp["lfw.bin"], [0]);
        File.WriteAllText(temp["property"], "2,16,16\n");
        using var dataset = ImageFolderDataset.Open(temp.Path);

        Assert.Equal(3, dataset.Count);
        Assert.Equal([temp["a/1.jpeg"], temp["a/2.PNG"], temp["b/x.JPG"]], Enumerable.Range(0, 3).Select(dataset.PathOf));
        Assert.Equal([0, 0, 1], Enumerable.Range(0, 3).Select(i => dataset.Read(i).Label));
        Assert.Equal([temp["lfw.bin"]], dataset.Info.ValidationTargets);
        Assert.Equal(temp["property"], dataset.Info.PropertyPath);
    }

    [Fact]
    public void A_folder_without_identity_folders_is_empty()
    {
        using var temp = new TempFolder();
        File.WriteAllBytes(temp["loose.jpg"], TestImages.Jpeg(1));

        var e = Assert.Throws<DatasetNotFoundException>(() => ImageFolderDataset.Open(temp.Path));
        Assert.Equal(ErrorIds.ImageFolderEmpty, e.ErrorId);
        Assert.Equal(temp.Path, e.FilePath);
        Assert.Contains("one sub-folder of images per identity", e.Message);
    }

    [Fact]
    public void An_identity_folder_without_images_is_named()
    {
        using var temp = new TempFolder();
        TestImages.WriteFolder(temp.Path, 2, 0, 1);
        File.WriteAllText(temp["id001/readme.txt"], "no faces here");

        var e = Assert.Throws<DatasetNotFoundException>(() => ImageFolderDataset.Open(temp.Path));
        Assert.Equal(ErrorIds.ImageFolderIdentityEmpty, e.ErrorId);
        Assert.Equal(temp["id001"], e.FilePath);
        Assert.Contains("identity 1", e.Message);
    }

    [Fact]
    public void A_missing_folder_is_not_found()
    {
        var e = Assert.Throws<DatasetNotFoundException>(() => ImageFolderDataset.Open("/no/such/folder"));
        Assert.Equal(ErrorIds.DatasetNotFound, e.ErrorId);
    }
}

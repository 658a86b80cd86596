using InsightFace.Engine.Data;
using InsightFace.Engine.Data.ImageFolder;
using InsightFace.Engine.Data.Imaging;
using InsightFace.Engine.Data.OFRecord;
using SkiaSharp;

namespace InsightFace.Engine.Tests.Data.ImageFolder;

public class AlignedDatasetTests
{
    [Fact]
    public void A_landmarks_file_is_a_path_and_10_numbers_per_line_with_relative_paths()
    {
        using var temp = new TempFolder();
        File.WriteAllText(temp["landmarks.txt"], "# comment\n\nfaces/a b.jpg 1 2 3 4 5 6 7 8 9 10\n/abs/c.png,1.5,2,3,4,5,6,7,8,9,1e1\n");

        var landmarks = FaceLandmarks.Read(temp["landmarks.txt"]);

        Assert.Equal(2, landmarks.Count);
        Assert.Equal([(1.0, 2.0), (3, 4), (5, 6), (7, 8), (9, 10)], landmarks.For(temp["faces/a b.jpg"]));
        Assert.Equal((1.5, 2.0), landmarks.For("/abs/c.png")![0]);
        Assert.Null(landmarks.For(temp["faces/other.jpg"]));
    }

    [Fact]
    public void A_malformed_landmarks_line_is_named()
    {
        using var temp = new TempFolder();
        File.WriteAllText(temp["landmarks.txt"], "a.jpg 1 2 3 4 5 6 7 8 9 10\nb.jpg 1 2 3 x 5 6 7 8 9 10\n");

        var e = Assert.Throws<DatasetFormatException>(() => FaceLandmarks.Read(temp["landmarks.txt"]));
        Assert.Equal(ErrorIds.DatasetLandmarksInvalid, e.ErrorId);
        Assert.Contains("line 2", e.Message);
    }

    [Fact]
    public void Photos_with_landmarks_are_aligned_crops_pass_through_and_others_are_skipped_by_writers()
    {
        using var temp = new TempFolder();
        Directory.CreateDirectory(temp["faces/p1"]);
        File.WriteAllBytes(temp["faces/p1/photo.jpg"], TestImages.Jpeg(1, size: 250));
        File.WriteAllBytes(temp["faces/p1/unaligned.jpg"], TestImages.Jpeg(2, size: 250));
        File.WriteAllBytes(temp["faces/p1/zcrop.jpg"], TestImages.Jpeg(3, size: 112));
        File.WriteAllText(temp["landmarks.txt"], "faces/p1/photo.jpg 80 100 160 100 120 140 90 180 150 180\n");
        using var aligned = new AlignedDataset(ImageFolderDataset.Open(temp["faces"]), FaceLandmarks.Read(temp["landmarks.txt"]));

        using (var crop = SKBitmap.Decode(aligned.Read(0).Image)) Assert.Equal((112, 112), (crop.Width, crop.Height));
        Assert.Equal(FaceAligner.AlignEncoded(File.ReadAllBytes(temp["faces/p1/photo.jpg"]),
            [(80, 100), (160, 100), (120, 140), (90, 180), (150, 180)]), aligned.Read(0).Image);
        var e = Assert.Throws<DatasetFormatException>(() => aligned.Read(1));
        Assert.Equal(ErrorIds.DatasetImageNotAligned, e.ErrorId);
        Assert.Contains("found a 250x250 file without landmarks", e.Message);
        Assert.Equal(File.ReadAllBytes(temp["faces/p1/zcrop.jpg"]), aligned.Read(2).Image);
        Assert.Equal(new ImageSize(112, 112), aligned.Info.ImageSize);

        var skipped = new List<SkippedRecord>();
        var result = OFRecordWriter.Write(aligned, temp["out"], new OFRecordWriteOptions { Parts = 1 }, skipped: skipped.Add);
        Assert.Equal((2, 1), (result.Records, result.Skipped));
        Assert.Equal(ErrorIds.DatasetImageNotAligned, Assert.Single(skipped).Error.ErrorId);
    }
}

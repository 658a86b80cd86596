using InsightFace.Engine.Data;
using InsightFace.Engine.Data.ImageFolder;
using InsightFace.Engine.Data.OFRecord;
using InsightFace.Engine.Data.RecordIO;

namespace InsightFace.Engine.Tests.Data;

/// <summary>What both dataset writers do with an output folder that already holds files that are not theirs.</summary>
public class DatasetWriterOutputTests
{
    public static TheoryData<string> Writers => ["OFRecord", "RecordIO"];

    private static void Write(string writer, IFaceDataset source, string folder, bool force)
    {
        if (writer == "OFRecord") OFRecordWriter.Write(source, folder, new OFRecordWriteOptions { Parts = 1, Force = force });
        else FaceRecordIOWriter.Write(source, folder, force);
    }

    private static string[] DatasetFiles(string writer) =>
        writer == "OFRecord" ? ["_SUCCESS", "part-00000", "property"] : ["property", "train.idx", "train.rec"];

    [Theory]
    [MemberData(nameof(Writers))]
    public void A_folder_holding_other_files_is_refused_without_force_and_force_keeps_them(string writer)
    {
        using var temp = new TempFolder();
        TestImages.WriteFolder(temp["faces"], 1, 1);
        using var source = ImageFolderDataset.Open(temp["faces"]);
        Directory.CreateDirectory(temp["out/photos"]);
        File.WriteAllText(temp["out/notes.txt"], "mine");

        var e = Assert.Throws<DatasetOutputExistsException>(() => Write(writer, source, temp["out"], force: false));
        Assert.Equal(ErrorIds.DatasetOutputExists, e.ErrorId);
        Assert.Equal(temp["out/notes.txt"], e.FilePath);
        Assert.Contains("(notes.txt, photos)", e.Message);
        Assert.Equal(["notes.txt", "photos"], Directory.GetFileSystemEntries(temp["out"]).Select(Path.GetFileName).Order(StringComparer.Ordinal));

        Write(writer, source, temp["out"], force: true);
        Assert.Equal(DatasetFiles(writer).Append("notes.txt").Append("photos").Order(StringComparer.Ordinal),
            Directory.GetFileSystemEntries(temp["out"]).Select(Path.GetFileName).Order(StringComparer.Ordinal));
        Assert.Equal("mine", File.ReadAllText(temp["out/notes.txt"]));
    }

    [Theory]
    [MemberData(nameof(Writers))]
    public void A_users_temporary_folder_survives_a_conversion_into_its_folder(string writer)
    {
        using var temp = new TempFolder();
        TestImages.WriteFolder(temp["faces"], 1, 1);
        using var source = ImageFolderDataset.Open(temp["faces"]);
        Directory.CreateDirectory(temp["out/_temporary"]);
        File.WriteAllText(temp["out/_temporary/part-00000"], "Spark's, not ours");

        Write(writer, source, temp["out"], force: true);

        Assert.Equal("Spark's, not ours", File.ReadAllText(temp["out/_temporary/part-00000"]));
        Assert.Equal(DatasetFiles(writer).Append("_temporary").Order(StringComparer.Ordinal),
            Directory.GetFileSystemEntries(temp["out"]).Select(Path.GetFileName).Order(StringComparer.Ordinal));
    }
}

using InsightFace.Engine.Data.Verification;
using InsightFace.Engine.Export;
using InsightFace.Engine.Tests.Support;

namespace InsightFace.Engine.Tests.Data.Verification;

public sealed class VerificationBinWriterTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("insightface-binw-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [FixtureFact(FaceFixtures.Orl)]
    public void Real_faces_round_trip_through_a_protocol_2_pickle()
    {
        var set = VerificationSetBuilder.FromPairs(FaceFixtures.Pairs(12));
        var path = Path.Combine(_dir, "orl.bin");

        VerificationBinWriter.Write(path, set);
        var back = VerificationBinReader.Read(path);

        var bytes = File.ReadAllBytes(path);
        Assert.Equal([0x80, 2], bytes[..2]);
        Assert.Equal((byte)'.', bytes[^1]);
        Assert.Equal(24, back.Images.Count);
        for (var i = 0; i < 24; i++) Assert.Equal(set.Images[i], back.Images[i]);
        Assert.Equal(set.IsSame, back.IsSame);
        Assert.Equal([Path.GetFileName(path)], Directory.GetFiles(_dir).Select(Path.GetFileName));
    }

    [Fact]
    public void Every_byte_value_survives_the_latin1_encoding()
    {
        var all = Enumerable.Range(0, 256).Select(i => (byte)i).ToArray();
        var set = new VerificationSet([all, [], [0x80], all.Reverse().ToArray()], [false, true]);
        var path = Path.Combine(_dir, "bytes.bin");

        VerificationBinWriter.Write(path, set);
        var back = VerificationBinReader.Read(path);

        Assert.Equal(set.Images, back.Images);
        Assert.Equal([false, true], back.IsSame);
    }

    [Fact]
    public void An_existing_file_is_kept_unless_overwrite_is_set()
    {
        var path = Path.Combine(_dir, "lfw.bin");
        File.WriteAllText(path, "keep me");
        var set = new VerificationSet([[1], [2]], [true]);

        var e = Assert.Throws<VerificationSetException>(() => VerificationBinWriter.Write(path, set));

        Assert.Equal(ErrorIds.VerificationBinExists, e.ErrorId);
        Assert.Contains(path, e.Message);
        Assert.Equal("keep me", File.ReadAllText(path));
        Assert.Single(Directory.GetFiles(_dir));

        VerificationBinWriter.Write(path, set, overwrite: true);
        Assert.Equal(set.Images, VerificationBinReader.Read(path).Images);
        Assert.Single(Directory.GetFiles(_dir));
    }

    [Fact]
    public void A_failed_write_leaves_no_partial_file()
    {
        // A file where the folder should be: a missing folder is no failure, writers create it.
        File.WriteAllText(Path.Combine(_dir, "a-file"), "mine");
        var path = Path.Combine(_dir, "a-file", "set.bin");
        var e = Assert.Throws<OutputPathException>(() => VerificationBinWriter.Write(path, new VerificationSet([[1], [2]], [true])));
        Assert.Equal(ErrorIds.OutputPathUnusable, e.ErrorId);
        Assert.Equal([Path.Combine(_dir, "a-file")], Directory.GetFileSystemEntries(_dir));
    }

    [Fact]
    public void Creates_a_missing_folder()
    {
        var path = Path.Combine(_dir, "new", "deeper", "set.bin");
        VerificationBinWriter.Write(path, new VerificationSet([[1], [2]], [true]));
        Assert.True(File.Exists(path));
    }
}

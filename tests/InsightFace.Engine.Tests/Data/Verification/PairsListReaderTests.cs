using InsightFace.Engine.Data.Verification;
using InsightFace.Engine.Tests.Support;

namespace InsightFace.Engine.Tests.Data.Verification;

public sealed class PairsListReaderTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("insightface-pairs-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string Write(string name, string text)
    {
        var path = Path.Combine(_dir, name);
        File.WriteAllText(path, text);
        return path;
    }

    /// <summary>LFW's layout, root/name/name_NNNN.jpg, filled with ORL faces in the temporary folder.</summary>
    private string LfwTree()
    {
        var root = Path.Combine(_dir, "lfw");
        foreach (var (name, subject) in new[] { ("Ann_Lee", 1), ("Bo_Chen", 2) })
        {
            Directory.CreateDirectory(Path.Combine(root, name));
            for (var n = 1; n <= 3; n++)
                File.Copy(FaceFixtures.Image(subject, n), Path.Combine(root, name, $"{name}_{n:D4}.jpg"));
        }
        return root;
    }

    [FixtureFact(FaceFixtures.Orl)]
    public void Lfw_pairs_txt_gives_same_and_different_pairs_in_order()
    {
        var root = LfwTree();
        var list = Write("pairs.txt", "2\t1\nAnn_Lee\t1\t2\n\nAnn_Lee\t3\tBo_Chen\t1\nBo_Chen 2 3\n");

        var pairs = PairsListReader.Read(list, root);

        Assert.Equal(
        [
            new ImagePair(Path.Combine(root, "Ann_Lee", "Ann_Lee_0001.jpg"), Path.Combine(root, "Ann_Lee", "Ann_Lee_0002.jpg"), true),
            new ImagePair(Path.Combine(root, "Ann_Lee", "Ann_Lee_0003.jpg"), Path.Combine(root, "Bo_Chen", "Bo_Chen_0001.jpg"), false),
            new ImagePair(Path.Combine(root, "Bo_Chen", "Bo_Chen_0002.jpg"), Path.Combine(root, "Bo_Chen", "Bo_Chen_0003.jpg"), true),
        ], pairs);
    }

    [FixtureFact(FaceFixtures.Orl)]
    public void Csv_pairs_with_a_header_and_relative_paths_resolve_against_the_root()
    {
        var root = Path.GetDirectoryName(Path.GetDirectoryName(FaceFixtures.Image(1, 1)))!;
        var list = Write("pairs.csv", "path1,path2,same\ns1/1.jpg, s1/2.jpg ,1\ns1/3.jpg,s2/1.jpg,false\n" +
                                      $"{FaceFixtures.Image(3, 1)},{FaceFixtures.Image(3, 2)},TRUE\n");

        var pairs = PairsListReader.Read(list, root);

        Assert.Equal([true, false, true], pairs.Select(p => p.IsSame));
        Assert.Equal(FaceFixtures.Image(1, 2), pairs[0].SecondPath);
        Assert.Equal(FaceFixtures.Image(2, 1), pairs[1].SecondPath);
        Assert.Equal(FaceFixtures.Image(3, 1), pairs[2].FirstPath);
    }

    [Fact]
    public void A_line_with_the_wrong_fields_names_its_number()
    {
        var list = Write("pairs.txt", "10\t300\nAnn_Lee\t1\t2\t3\t4\n");
        var e = Assert.Throws<VerificationSetException>(() => PairsListReader.Read(list));
        Assert.Equal(ErrorIds.PairsListLineInvalid, e.ErrorId);
        Assert.Contains($"{list}: line 2 has 5 fields", e.Message);
    }

    [Fact]
    public void A_bad_same_value_in_a_csv_names_its_line()
    {
        var list = Write("pairs.csv", "a.jpg,b.jpg,1\na.jpg,b.jpg,maybe\n");
        File.WriteAllText(Path.Combine(_dir, "a.jpg"), "");
        File.WriteAllText(Path.Combine(_dir, "b.jpg"), "");
        var e = Assert.Throws<VerificationSetException>(() => PairsListReader.Read(list));
        Assert.Equal(ErrorIds.PairsListLineInvalid, e.ErrorId);
        Assert.Contains("line 2 has same = 'maybe'", e.Message);
    }

    [FixtureFact(FaceFixtures.Orl)]
    public void A_missing_image_names_the_line_and_the_path()
    {
        var root = LfwTree();
        var list = Write("pairs.txt", "Ann_Lee\t1\t2\nAnn_Lee\t1\t9\n");
        var e = Assert.Throws<VerificationSetException>(() => PairsListReader.Read(list, root));
        Assert.Equal(ErrorIds.PairsListImageNotFound, e.ErrorId);
        Assert.Contains("line 2 names", e.Message);
        Assert.Contains("Ann_Lee_0009.jpg", e.Message);
    }

    [FixtureFact(FaceFixtures.Orl)]
    public void The_builder_keeps_file_bytes_and_rejects_a_file_that_is_not_an_image()
    {
        var pairs = FaceFixtures.Pairs(2);
        var set = VerificationSetBuilder.FromPairs(pairs);
        Assert.Equal(File.ReadAllBytes(pairs[1].SecondPath), set.Images[3]);
        Assert.Equal([true, false], set.IsSame);

        var fake = Write("fake.jpg", "not an image");
        var e = Assert.Throws<VerificationSetException>(() =>
            VerificationSetBuilder.FromPairs([pairs[0], new ImagePair(pairs[1].FirstPath, fake, false)]));
        Assert.Equal(ErrorIds.PairsListImageInvalid, e.ErrorId);
        Assert.Equal(fake, e.FilePath);
    }
}

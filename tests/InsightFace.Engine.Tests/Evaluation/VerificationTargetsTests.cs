using InsightFace.Engine.Evaluation;

namespace InsightFace.Engine.Tests.Evaluation;

public sealed class VerificationTargetsTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("insightface-targets-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string Folder(string name, params string[] bins)
    {
        var folder = Directory.CreateDirectory(Path.Combine(_dir, name)).FullName;
        foreach (var bin in bins) File.WriteAllBytes(Path.Combine(folder, bin), []);
        return folder;
    }

    [Fact]
    public void Names_are_looked_up_in_the_folders_in_order()
    {
        var data = Folder("data", "lfw.bin");
        var dataset = Folder("faces_emore", "lfw.bin", "cfp_fp.bin");

        Assert.Equal(Path.Combine(data, "lfw.bin"), VerificationTargets.Resolve("lfw", [data, dataset]));
        Assert.Equal(Path.Combine(dataset, "cfp_fp.bin"), VerificationTargets.Resolve("cfp_fp", [data, dataset]));
    }

    [Fact]
    public void Paths_are_taken_as_they_are()
    {
        var data = Folder("data", "agedb_30.bin");
        var path = Path.Combine(data, "agedb_30.bin");
        Assert.Equal(path, VerificationTargets.Resolve(path, []));
    }

    [Fact]
    public void An_unknown_name_says_where_it_looked()
    {
        var data = Folder("data");
        var e = Assert.Throws<EvaluationException>(() => VerificationTargets.Resolve("calfw", [data]));
        Assert.Equal(ErrorIds.VerificationTargetNotFound, e.ErrorId);
        Assert.Contains($"'calfw' has no calfw.bin: looked in {data}", e.Message);
    }

    [Fact]
    public void A_missing_path_is_named()
    {
        var path = Path.Combine(_dir, "nope.bin");
        var e = Assert.Throws<EvaluationException>(() => VerificationTargets.Resolve(path, []));
        Assert.Equal(ErrorIds.VerificationTargetNotFound, e.ErrorId);
        Assert.Contains(path, e.Message);
    }
}

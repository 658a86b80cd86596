using InsightFace.Engine.Data;

namespace InsightFace.Engine.Tests.Data;

public class StagedOutputTests
{
    [Fact]
    public void A_staging_folder_in_use_is_left_alone_and_an_abandoned_one_is_removed()
    {
        using var temp = new TempFolder();
        Directory.CreateDirectory(temp["out/.staging-abandoned"]);
        File.WriteAllText(temp["out/.staging-abandoned/part-00000"], "left by a killed conversion");

        using var first = new StagedOutput(temp["out"]);
        File.WriteAllText(first.StagingPath("a"), "first");
        using var second = new StagedOutput(temp["out"]);
        File.WriteAllText(second.StagingPath("b"), "second");

        Assert.False(Directory.Exists(temp["out/.staging-abandoned"]));
        Assert.Equal("first", File.ReadAllText(first.StagingPath("a")));
        second.Commit(withdrawn: [], ["b"]);
        first.Commit(withdrawn: ["b"], ["a"]);
        Assert.Equal(["out/a"], temp.Files());
    }
}

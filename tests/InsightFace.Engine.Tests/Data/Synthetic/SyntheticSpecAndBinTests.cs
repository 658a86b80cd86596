using InsightFace.Engine.Data;
using InsightFace.Engine.Data.Synthetic;
using InsightFace.Engine.Data.Verification;

namespace InsightFace.Engine.Tests.Data.Synthetic;

public class SyntheticSpecAndBinTests
{
    [Fact]
    public void The_dataset_path_opens_the_same_dataset_again()
    {
        using var original = new SyntheticFaceDataset(4, 3, seed: -7);
        using var reopened = DatasetOpener.Open(original.Info.DatasetPath);

        Assert.Equal("synthetic:classes=4,images-per-class=3,seed=-7", original.Info.DatasetPath);
        Assert.Equal(original.Count, reopened.Count);
        Assert.Equal(original.NumClasses, reopened.NumClasses);
        Assert.Equal(original.Read(11).Image, reopened.Read(11).Image);
    }

    [Theory]
    [InlineData("synthetic:classes=0,images-per-class=3,seed=1")]
    [InlineData("synthetic:classes=4,seed=1")]
    public void A_malformed_description_is_not_found(string spec)
    {
        var e = Assert.Throws<DatasetNotFoundException>(() => DatasetOpener.Open(spec));
        Assert.Equal(ErrorIds.DatasetNotFound, e.ErrorId);
        Assert.Contains(spec, e.Message);
    }

    [Fact]
    public void Held_out_pairs_are_written_as_a_bin_the_verification_reader_loads_and_become_a_validation_target()
    {
        using var temp = new TempFolder();
        using var dataset = new SyntheticFaceDataset(4, 3, seed: 2);

        using var withBin = dataset.WriteHeldOutBin(temp["held.bin"], 6);

        Assert.Equal([temp["held.bin"]], withBin.Info.ValidationTargets);
        var set = VerificationBinReader.Read(temp["held.bin"]);
        var pairs = dataset.HeldOutPairs(6).ToList();
        Assert.Equal(pairs.Select(p => p.Same), set.IsSame);
        Assert.Equal(pairs.SelectMany(p => new[] { p.ImageA, p.ImageB }), set.Images);
        // Re-created from its description, it keeps the targets it is given.
        using var reopened = SyntheticFaceDataset.FromSpec(withBin.Info.DatasetPath, withBin.Info.ValidationTargets);
        Assert.Equal(withBin.Info.ValidationTargets, reopened.Info.ValidationTargets);
    }

    [Fact]
    public void An_existing_bin_is_kept_without_overwrite()
    {
        using var temp = new TempFolder();
        File.WriteAllText(temp["held.bin"], "mine");
        using var dataset = new SyntheticFaceDataset(4, 3, seed: 2);

        var e = Assert.Throws<VerificationSetException>(() => dataset.WriteHeldOutBin(temp["held.bin"], 2));
        Assert.Equal(ErrorIds.VerificationBinExists, e.ErrorId);
        Assert.Equal("mine", File.ReadAllText(temp["held.bin"]));
    }
}

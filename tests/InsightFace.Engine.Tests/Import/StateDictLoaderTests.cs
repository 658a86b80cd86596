using InsightFace.Engine.Import;
using InsightFace.Engine.Import.PyTorch;
using InsightFace.Engine.Tests.Import.PyTorch;
using InsightFace.Engine.Tests.Support;
using TorchSharp;

namespace InsightFace.Engine.Tests.Import;

public class StateDictLoaderTests
{
    private static readonly string TinyPth = Path.Combine(Fixtures.RepoRoot, "tests", "InsightFace.Engine.Tests", "Import", "PyTorch", "tiny_iresnet.pth");

    [Fact]
    public void Missing_extra_and_misshaped_keys_are_all_listed_and_nothing_is_loaded()
    {
        using var net = new TinyIResNet();
        var before = Snapshot(net);
        using var state = Damaged();

        var e = Assert.Throws<StateDictMismatchException>(() => StateDictLoader.Load(net, state, "tiny_iresnet.pth"));

        Assert.Equal("StateDictMismatch", e.ErrorId);
        Assert.Equal(["layer1.0.conv2.weight"], e.Report.Missing);
        Assert.Equal(["module.stray"], e.Report.Unexpected);
        Assert.Equal(["fc.weight: file [6, 8], model [6, 16]"], e.Report.ShapeMismatches);
        Assert.Contains("missing in the file: layer1.0.conv2.weight", e.Message);
        Assert.Contains("not in the model: module.stray", e.Message);
        Assert.Contains("shape differs: fc.weight", e.Message);
        Assert.Contains("tiny_iresnet.pth", e.Message);
        Assert.Equal(before, Snapshot(net));
    }

    [Fact]
    public void Lenient_loading_takes_what_fits_and_reports_the_rest()
    {
        using var net = new TinyIResNet();
        var before = Snapshot(net);
        using var state = Damaged();

        var report = StateDictLoader.Load(net, state, "tiny_iresnet.pth", strict: false);

        Assert.False(report.IsComplete);
        Assert.Equal(["layer1.0.conv2.weight"], report.Missing);
        Assert.Equal(["module.stray"], report.Unexpected);
        Assert.Single(report.ShapeMismatches);
        Assert.Equal(state.Count - 2, report.Loaded.Count);
        var after = Snapshot(net);
        Assert.Equal(before["layer1.0.conv2.weight"], after["layer1.0.conv2.weight"]);
        Assert.Equal(before["fc.weight"], after["fc.weight"]);
        Assert.Equal(state["conv1.weight"].data<float>().ToArray(), after["conv1.weight"]);
    }

    [Fact]
    public void Absent_BatchNorm_counters_are_not_missing_keys()
    {
        using var full = PthReader.Read(TinyPth);
        using var state = new StateDict();
        foreach (var key in full.Keys.Where(k => !k.EndsWith("num_batches_tracked", StringComparison.Ordinal)))
            state.Add(key, full[key].clone());
        using var net = new TinyIResNet();

        var report = StateDictLoader.Load(net, state, "no-counters");

        Assert.True(report.IsComplete);
        net.eval();
        PthTests.AssertOutputMatchesPyTorch(net);
    }

    // The fixture with one key dropped, one added, and fc.weight cut to half its columns.
    private static StateDict Damaged()
    {
        using var full = PthReader.Read(TinyPth);
        var state = new StateDict();
        foreach (var key in full.Keys.Where(k => k != "layer1.0.conv2.weight"))
            state.Add(key, key == "fc.weight" ? full[key][.., ..8].clone() : full[key].clone());
        state.Add("module.stray", torch.zeros(1));
        return state;
    }

    private static Dictionary<string, float[]> Snapshot(torch.nn.Module net) =>
        net.state_dict().Where(p => p.Value.dtype == torch.float32).ToDictionary(p => p.Key, p => p.Value.data<float>().ToArray());
}

using System.Text.Json;
using InsightFace.Engine.Export;
using InsightFace.Engine.Import;
using InsightFace.Engine.Import.PyTorch;
using InsightFace.Engine.Tests.Export;
using InsightFace.Engine.Tests.Support;
using TorchSharp;

namespace InsightFace.Engine.Tests.Import.PyTorch;

/// <summary>Reads files written by the real torch.save (make_pth_fixtures.py, committed beside it) and writes files torch.load reads.</summary>
public class PthTests : IDisposable
{
    private static readonly string Here = Path.Combine(Fixtures.RepoRoot, "tests", "InsightFace.Engine.Tests", "Import", "PyTorch");
    private readonly string _dir = Directory.CreateTempSubdirectory("pth-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Theory]
    [InlineData("tiny_iresnet.pth")]
    [InlineData("tiny_iresnet_legacy.pth")]
    public void Torch_save_files_read_with_arcface_torch_keys_in_order_and_exact_values(string file)
    {
        using var state = PthReader.Read(Path.Combine(Here, file));

        Assert.Equal(61, state.Count);
        Assert.Equal(["conv1.weight", "bn1.weight", "bn1.bias", "bn1.running_mean", "bn1.running_var", "bn1.num_batches_tracked", "prelu.weight"], state.Keys.Take(7));
        Assert.Contains("layer1.0.downsample.0.weight", state.Keys);
        Assert.Equal(["features.weight", "features.bias", "features.running_mean", "features.running_var", "features.num_batches_tracked"], state.Keys.TakeLast(5));
        Assert.Equal([6L, 16], state["fc.weight"].shape);

        for (var i = 0; i < state.Count; i++)
        {
            var key = state.Keys[i];
            var tensor = state[key];
            if (key.EndsWith("num_batches_tracked", StringComparison.Ordinal))
            {
                Assert.Equal(torch.ScalarType.Int64, tensor.dtype);
                Assert.Empty(tensor.shape);
                Assert.Equal(i, tensor.item<long>());
                continue;
            }
            Assert.Equal(torch.ScalarType.Float32, tensor.dtype);
            var values = tensor.data<float>().ToArray();
            for (var j = 0; j < values.Length; j++)
            {
                // The generator's formula, recomputed here (make_pth_fixtures.py docstring).
                var expected = key.EndsWith("running_var", StringComparison.Ordinal) ? (1 + (i + j) % 5) / 64f : ((i * 7 + j * 3) % 17 - 8) / 16f;
                Assert.Equal(expected, values[j]);
            }
        }
    }

    [Fact]
    public void Views_keep_their_strides_and_offsets_and_dtypes()
    {
        using var state = PthReader.Read(Path.Combine(Here, "views.pth"));

        Assert.Equal([4L, 3], state["transposed"].shape);
        Assert.Equal([0f, 4, 8, 1, 5, 9, 2, 6, 10, 3, 7, 11], state["transposed"].data<float>().ToArray());
        Assert.Equal([5f, 6, 7, 8], state["slice"].data<float>().ToArray());
        Assert.Equal(torch.ScalarType.Float16, state["half"].dtype);
        Assert.Equal([0.5f, -2, 65504], state["half"].to_type(torch.float32).data<float>().ToArray());
        Assert.Empty(state["count"].shape);
        Assert.Equal(7L, state["count"].item<long>());
    }

    [Fact]
    public void A_nested_checkpoint_is_read_by_naming_its_entry()
    {
        var path = Path.Combine(Here, "checkpoint.pth");
        using var backbone = PthReader.Read(path, "state_dict_backbone");
        Assert.Equal([1f, 2f], backbone["fc.bias"].data<float>().ToArray());

        var e = Assert.Throws<PthFormatException>(() => PthReader.Read(path));
        Assert.Equal("PthNotAStateDict", e.ErrorId);
        Assert.Contains("key 'epoch'", e.Message);

        var missing = Assert.Throws<PthFormatException>(() => PthReader.Read(path, "state_dict_softmax_fc"));
        Assert.Equal("PthEntryMissing", missing.ErrorId);
    }

    [Fact]
    public void Loaded_weights_give_the_output_PyTorch_computed()
    {
        using var state = PthReader.Read(Path.Combine(Here, "tiny_iresnet.pth"));
        using var net = new TinyIResNet();
        var report = StateDictLoader.Load(net, state, "tiny_iresnet.pth");
        net.eval();

        Assert.True(report.IsComplete);
        Assert.Equal(61, report.Loaded.Count);
        AssertOutputMatchesPyTorch(net);
    }

    [Fact]
    public void Written_file_reads_back_identically()
    {
        using var original = PthReader.Read(Path.Combine(Here, "views.pth"));
        var path = Path.Combine(_dir, "copy.pth");

        PthWriter.Write(path, original, overwrite: false);
        using var copy = PthReader.Read(path);

        Assert.Equal(original.Keys, copy.Keys);
        foreach (var key in original.Keys)
        {
            Assert.Equal(original[key].dtype, copy[key].dtype);
            Assert.Equal(original[key].shape, copy[key].shape);
            Assert.Equal(original[key].to_type(torch.float64).data<double>().ToArray(), copy[key].to_type(torch.float64).data<double>().ToArray());
        }
    }

    [PythonModuleFact("torch")]
    public void Torch_load_reads_what_we_write_and_computes_the_same_output()
    {
        using var net = new TinyIResNet();
        int counterIndex;
        using (var state = PthReader.Read(Path.Combine(Here, "tiny_iresnet.pth")))
        {
            StateDictLoader.Load(net, state, "tiny_iresnet.pth");
            counterIndex = state.Keys.ToList().IndexOf("layer1.1.bn3.num_batches_tracked");
        }
        var path = Path.Combine(_dir, "ours.pth");
        using (var ours = StateDict.From(net)) PthWriter.Write(path, ours, overwrite: false);

        const string script = """
            import json, sys, importlib.util, torch
            spec = importlib.util.spec_from_file_location("fixtures", sys.argv[1]); m = importlib.util.module_from_spec(spec); spec.loader.exec_module(m)
            net = m.TinyIResNet(); net.load_state_dict(torch.load(sys.argv[2]), strict=True); net.eval()
            index = torch.arange(96).reshape(2, 3, 4, 4)
            x = torch.sin((index // 48 * 1000 + index // 16 % 3 * 100 + index // 4 % 4 * 10 + index % 4).double()).float()
            with torch.no_grad(): print(json.dumps([float(v) for v in net(x).flatten()]))
            print(int(net.state_dict()["layer1.1.bn3.num_batches_tracked"]))
            """;
        var (exitCode, output) = PythonModuleFactAttribute.Run(script, Path.Combine(Here, "make_pth_fixtures.py"), path);

        Assert.True(exitCode == 0, output);
        var lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(Expected().Values, JsonSerializer.Deserialize<float[]>(lines[0])!);
        Assert.Equal(counterIndex.ToString(), lines[1]); // the fixture sets each counter to its entry index
    }

    [Fact]
    public void An_existing_output_is_kept_without_overwrite()
    {
        using var state = PthReader.Read(Path.Combine(Here, "views.pth"));
        var path = Path.Combine(_dir, "model.pth");
        File.WriteAllText(path, "keep me");

        var e = Assert.Throws<OutputExistsException>(() => PthWriter.Write(path, state, overwrite: false));

        Assert.Equal("OutputExists", e.ErrorId);
        Assert.Equal("keep me", File.ReadAllText(path));
        Assert.Single(Directory.GetFiles(_dir));
    }

    [Theory]
    [InlineData(new byte[] { 0x80, 0x02, (byte)'K', 5, (byte)'.' })] // a pickle of the number 5
    [InlineData(new byte[] { 0x12, 0x01, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0 })] // an MXNet .params header
    [InlineData(new byte[0])]
    public void A_file_that_is_not_a_torch_save_is_refused(byte[] bytes)
    {
        var path = Path.Combine(_dir, "other.pth");
        File.WriteAllBytes(path, bytes);
        var e = Assert.Throws<PthFormatException>(() => PthReader.Read(path));
        Assert.Equal("PthUnknownFormat", e.ErrorId);
        Assert.Contains(path, e.Message);
    }

    [Fact]
    public void A_TorchScript_archive_is_refused_with_what_to_save_instead()
    {
        var e = Assert.Throws<PthFormatException>(() => PthReader.Read(Path.Combine(Here, "scripted.pt")));
        Assert.Equal("PthTorchScript", e.ErrorId);
        Assert.Contains("state_dict()", e.Message);
    }

    [Fact]
    public void A_truncated_zip_is_refused()
    {
        var bytes = File.ReadAllBytes(Path.Combine(Here, "tiny_iresnet.pth"));
        var path = Path.Combine(_dir, "cut.pth");
        File.WriteAllBytes(path, bytes[..(bytes.Length / 2)]);
        var e = Assert.Throws<PthFormatException>(() => PthReader.Read(path));
        Assert.Equal("PthUnreadable", e.ErrorId);
        Assert.Contains(path, e.Message);
    }

    [Fact]
    public void A_truncated_legacy_file_names_the_offset()
    {
        var bytes = File.ReadAllBytes(Path.Combine(Here, "tiny_iresnet_legacy.pth"));
        var path = Path.Combine(_dir, "cut.pth");
        File.WriteAllBytes(path, bytes[..(bytes.Length - 10)]);
        var e = Assert.Throws<PthFormatException>(() => PthReader.Read(path));
        Assert.Equal("PthUnreadable", e.ErrorId);
        Assert.Matches("at offset [0-9]+", e.Message);
    }

    internal static void AssertOutputMatchesPyTorch(TinyIResNet net)
    {
        using var scope = torch.NewDisposeScope();
        using var noGrad = torch.no_grad();
        var actual = net.forward(TinyIResNet.FixtureInput()).data<float>().ToArray();
        var expected = Expected().Values;
        var scale = expected.Max(Math.Abs);
        Assert.All(expected.Zip(actual), p => Assert.True(Math.Abs(p.First - p.Second) <= 1e-5 * scale, $"{p.First} vs {p.Second}"));
    }

    private static (long[] Shape, float[] Values) Expected()
    {
        using var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(Here, "tiny_iresnet_output.json")));
        return (json.RootElement.GetProperty("shape").EnumerateArray().Select(e => e.GetInt64()).ToArray(),
                json.RootElement.GetProperty("values").EnumerateArray().Select(e => e.GetSingle()).ToArray());
    }
}

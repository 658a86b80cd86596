using System.Text.Json;
using InsightFace.Engine.Import.Mxnet;
using TorchSharp;

namespace InsightFace.Engine.Tests.Import.Mxnet;

public class FresnetMapperTests : IDisposable
{
    private const int Embedding = 8;
    private static readonly Lazy<FresnetModel> R18 = new(() => new FresnetModel([2, 2, 2, 2], Embedding));

    private readonly string _dir = Directory.CreateTempSubdirectory("fresnet-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void An_r18_checkpoint_written_to_disk_maps_to_arcface_torch_iresnet_keys_and_shapes()
    {
        var model = R18.Value;
        var paramsPath = Path.Combine(_dir, "model-0001.params");
        var symbolPath = Path.Combine(_dir, "model-symbol.json");
        File.WriteAllBytes(paramsPath, NDArrayListWriter.Write(model.Arrays));
        File.WriteAllText(symbolPath, model.SymbolJson());

        var mapped = FresnetMapper.Map(MxnetSymbolReader.Read(symbolPath), MxnetParamsReader.Read(paramsPath));

        Assert.Equal("r18", mapped.Network);
        Assert.Equal(Embedding, mapped.EmbeddingSize);
        Assert.Equal(IResNetKeys([2, 2, 2, 2]).Order(StringComparer.Ordinal), mapped.StateDict.Keys.Order(StringComparer.Ordinal));
        Assert.All(mapped.StateDict, p => Assert.Equal(p.Value.Shape.Aggregate(1L, (a, b) => a * b), p.Value.Values.Length));
        Assert.Equal([64L, 3, 3, 3], mapped.StateDict["conv1.weight"].Shape);
        Assert.Equal([256L, 128, 1, 1], mapped.StateDict["layer3.0.downsample.0.weight"].Shape);
        Assert.Equal([512L, 512, 3, 3], mapped.StateDict["layer4.1.conv2.weight"].Shape);
        Assert.Equal([(long)Embedding, 25088], mapped.StateDict["fc.weight"].Shape);

        // shared/docs: r18 has 24.03 M trainable parameters at embedding 512; fc and features shrink by
        // 25088·504 + 504 + 2·504 at embedding 8.
        var trainable = mapped.StateDict.Where(p => !p.Key.Contains(".running_", StringComparison.Ordinal)).Sum(p => (long)p.Value.Values.Length);
        Assert.InRange(trainable + 25088L * 504 + 504 + 2 * 504, 24_025_000, 24_035_000);
    }

    [Fact]
    public void Values_are_moved_and_only_changed_where_MXNet_computes_differently()
    {
        var model = R18.Value;
        var mapped = FresnetMapper.Map(Symbol(model.SymbolJson()), Arrays(model));
        float[] Written(string name) => model.Arrays.Single(a => a.Name == name).Values;

        Assert.Equal(Written("arg:stage2_unit1_conv1sc_weight"), mapped.StateDict["layer2.0.downsample.0.weight"].Values);
        Assert.Equal(Written("arg:stage4_unit2_relu1_gamma"), mapped.StateDict["layer4.1.prelu.weight"].Values);
        Assert.Equal(Written("arg:bn1_gamma"), mapped.StateDict["bn2.weight"].Values);
        Assert.Equal(Written("arg:pre_fc1_weight"), mapped.StateDict["fc.weight"].Values);
        // (x - 127.5) * 0.0078125 is our (x - 127.5)/127.5 times 127.5/128, folded into the bias-free first conv.
        Assert.Equal(Written("arg:conv0_weight").Select(v => v * 0.99609375f), mapped.StateDict["conv1.weight"].Values);
        // eps 2e-5 in MXNet, 1e-5 here: the difference moves into the running variance.
        Assert.Equal(Written("aux:stage1_unit2_bn3_moving_var").Select(v => v + 1e-5f), mapped.StateDict["layer1.1.bn3.running_var"].Values);
        // fc1 has fix_gamma=True: MXNet uses gamma 1 whatever is stored.
        Assert.All(mapped.StateDict["features.weight"].Values, v => Assert.Equal(1f, v));
    }

    [Fact]
    public void The_mapping_becomes_a_state_dict_of_float32_tensors()
    {
        var model = R18.Value;
        var mapped = FresnetMapper.Map(Symbol(model.SymbolJson()), Arrays(model));

        using var state = mapped.ToStateDict();

        Assert.Equal(mapped.StateDict.Count, state.Count);
        Assert.Equal([512L, 256, 3, 3], state["layer4.0.conv1.weight"].shape);
        Assert.Equal(torch.ScalarType.Float32, state["fc.bias"].dtype);
        Assert.Equal(mapped.StateDict["layer3.1.bn2.running_var"].Values, state["layer3.1.bn2.running_var"].data<float>().ToArray());
    }

    [Fact]
    public void The_mapped_fc1_BatchNorm_computes_what_MXNet_computes()
    {
        var model = R18.Value;
        var mapped = FresnetMapper.Map(Symbol(model.SymbolJson()), Arrays(model));
        float[] Written(string name) => model.Arrays.Single(a => a.Name == name).Values;
        var x = Enumerable.Range(0, 3 * Embedding).Select(i => (float)Math.Sin(i)).ToArray();

        using var scope = torch.NewDisposeScope();
        using var bn = torch.nn.BatchNorm1d(Embedding, eps: 1e-5);
        using (torch.no_grad())
        {
            bn.weight!.copy_(torch.tensor(mapped.StateDict["features.weight"].Values));
            bn.bias!.copy_(torch.tensor(mapped.StateDict["features.bias"].Values));
            bn.running_mean!.copy_(torch.tensor(mapped.StateDict["features.running_mean"].Values));
            bn.running_var!.copy_(torch.tensor(mapped.StateDict["features.running_var"].Values));
        }
        bn.eval();
        var ours = bn.forward(torch.tensor(x, [3, Embedding])).data<float>().ToArray();

        // MXNet BatchNorm at inference, by hand in float64: gamma fixed at 1, eps 2e-5.
        var beta = Written("arg:fc1_beta");
        var mean = Written("aux:fc1_moving_mean");
        var variance = Written("aux:fc1_moving_var");
        for (var i = 0; i < x.Length; i++)
        {
            var c = i % Embedding;
            var expected = (x[i] - (double)mean[c]) / Math.Sqrt(variance[c] + 2e-5) + beta[c];
            Assert.Equal(expected, ours[i], 5e-6);
        }
    }

    [Fact]
    public void A_graph_whose_layers_differ_is_refused_with_every_difference_listed()
    {
        var json = R18.Value.SymbolJson(nodes =>
        {
            Attrs(Node(nodes, "stage3_unit2_conv2"))["stride"] = "(2, 2)";
            var relu0 = Node(nodes, "relu0");
            relu0["op"] = "Activation";
            relu0["attrs"] = new Dictionary<string, string> { ["act_type"] = "relu" };
        });

        var e = Assert.Throws<MxnetMappingException>(() => FresnetMapper.Map(Symbol(json), []));

        Assert.Equal("MxnetGraphMismatch", e.ErrorId);
        Assert.Contains("node 'stage3_unit2_conv2': expected stride=(1,1), found (2,2)", e.Problems);
        Assert.Contains("node 'relu0': expected op LeakyReLU, found Activation", e.Problems);
        Assert.Contains("node 'relu0': expected act_type=prelu, found relu", e.Problems);
        Assert.Contains("stage3_unit2_conv2", e.Message);
    }

    [Fact]
    public void A_missing_residual_add_is_a_graph_mismatch()
    {
        var json = R18.Value.SymbolJson(nodes => Node(nodes, "stage2_unit2_bn3")["name"] = "stage2_unit2_bn3_renamed");
        var e = Assert.Throws<MxnetMappingException>(() => FresnetMapper.Map(Symbol(json), []));
        Assert.Contains("node 'stage2_unit2_bn3': expected a BatchNorm whose input is 'stage2_unit2_conv2', but the graph has no such operator", e.Problems);
        Assert.Contains(e.Problems, p => p.StartsWith("residual add of 'stage2_unit2_bn3'", StringComparison.Ordinal));
    }

    [Fact]
    public void A_depth_we_do_not_build_is_refused()
    {
        var json = new FresnetModel([1, 1, 1, 1], Embedding).SymbolJson();
        var e = Assert.Throws<MxnetMappingException>(() => FresnetMapper.Map(Symbol(json), []));
        Assert.Equal("MxnetGraphMismatch", e.ErrorId);
        Assert.Contains("units per stage [1, 1, 1, 1]", e.Message);
        Assert.Contains("r50 [3,4,14,3]", e.Message);
    }

    [Fact]
    public void Missing_extra_and_misshaped_arrays_are_all_listed()
    {
        var model = R18.Value;
        var arrays = Arrays(model).Where(a => a.Name != "arg:stage1_unit1_conv1_weight")
            .Select(a => a.Name == "arg:bn0_beta" ? a with { Shape = [32], Data = a.Data[..128] } : a)
            .Append(new MxnetArray("arg:stray_weight", [1], MxnetDType.Float32, new byte[4]))
            .ToList();

        var e = Assert.Throws<MxnetMappingException>(() => FresnetMapper.Map(Symbol(model.SymbolJson()), arrays));

        Assert.Equal("MxnetArrayMismatch", e.ErrorId);
        Assert.Equal(
        [
            "array 'bn0_beta': shape [32], expected [64]",
            "array 'stage1_unit1_conv1_weight': missing (expected shape [64, 64, 3, 3])",
            "array 'stray_weight': not part of the backbone (unexpected)",
        ], e.Problems);
    }

    // arcface_torch iresnet.state_dict() keys, written out from backbones/iresnet.py (num_batches_tracked left out).
    private static IEnumerable<string> IResNetKeys(int[] layers)
    {
        string[] Bn(string p) => [$"{p}.weight", $"{p}.bias", $"{p}.running_mean", $"{p}.running_var"];
        IEnumerable<string> keys = ["conv1.weight", .. Bn("bn1"), "prelu.weight"];
        for (var stage = 1; stage <= 4; stage++)
            for (var block = 0; block < layers[stage - 1]; block++)
            {
                var p = $"layer{stage}.{block}";
                keys = keys.Concat([.. Bn($"{p}.bn1"), $"{p}.conv1.weight", .. Bn($"{p}.bn2"), $"{p}.prelu.weight", $"{p}.conv2.weight", .. Bn($"{p}.bn3")]);
                if (block == 0) keys = keys.Concat([$"{p}.downsample.0.weight", .. Bn($"{p}.downsample.1")]);
            }
        return keys.Concat([.. Bn("bn2"), "fc.weight", "fc.bias", .. Bn("features")]);
    }

    private static List<MxnetArray> Arrays(FresnetModel model) =>
        model.Arrays.Select(a => new MxnetArray(a.Name, a.Shape, MxnetDType.Float32,
            System.Runtime.InteropServices.MemoryMarshal.AsBytes(a.Values.AsSpan()).ToArray())).ToList();

    private MxnetSymbol Symbol(string json)
    {
        var path = Path.Combine(_dir, $"{Guid.NewGuid():N}-symbol.json");
        File.WriteAllText(path, json);
        return MxnetSymbolReader.Read(path);
    }

    private static Dictionary<string, object> Node(List<Dictionary<string, object>> nodes, string name) =>
        nodes.Single(n => (string)n["name"] == name && (string)n["op"] != "null");

    private static Dictionary<string, string> Attrs(Dictionary<string, object> node)
    {
        var attrs = new Dictionary<string, string>((Dictionary<string, string>)node["attrs"]);
        node["attrs"] = attrs;
        return attrs;
    }
}

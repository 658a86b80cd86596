using InsightFace.Engine.Import.Mxnet;
using InsightFace.Engine.Tests.Support;
using TorchSharp;

namespace InsightFace.Engine.Tests.Import.Mxnet;

public class MobileFaceNetMapperTests : IDisposable
{
    private const int Embedding = 128;
    private static readonly Lazy<FMobileFaceNetModel> Model = new(() => new FMobileFaceNetModel(Embedding));

    private readonly string _dir = Directory.CreateTempSubdirectory("fmobilefacenet-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void An_fmobilefacenet_checkpoint_maps_to_arcface_torch_MobileFaceNet_keys_and_shapes_at_scale_1()
    {
        var model = Model.Value;
        var paramsPath = Path.Combine(_dir, "model-0000.params");
        var symbolPath = Path.Combine(_dir, "model-symbol.json");
        File.WriteAllBytes(paramsPath, NDArrayListWriter.Write(model.Arrays));
        File.WriteAllText(symbolPath, model.SymbolJson());

        var mapped = MobileFaceNetMapper.Map(MxnetSymbolReader.Read(symbolPath), MxnetParamsReader.Read(paramsPath));

        Assert.Equal("fmobilefacenet", mapped.Network);
        Assert.Equal(1, mapped.Scale);
        Assert.Equal([1, 4, 6, 2], mapped.Blocks);
        Assert.Equal(Embedding, mapped.EmbeddingSize);
        var expected = MobileFaceNetShapes(scale: 1, [1, 4, 6, 2], Embedding);
        Assert.Equal(expected.Keys.Order(StringComparer.Ordinal), mapped.StateDict.Keys.Order(StringComparer.Ordinal));
        Assert.All(expected, e => Assert.Equal(e.Value, mapped.StateDict[e.Key].Shape));
    }

    [Fact]
    public void MXNet_defaults_and_the_fc_bias_are_folded_exactly()
    {
        var model = Model.Value;
        var mapped = MobileFaceNetMapper.Map(Symbol(model.SymbolJson()), Arrays(model));

        // No eps attribute on fmobilefacenet's BatchNorms: MXNet's default 1e-3 moves into the running variance.
        Assert.Equal(model.Values("aux:res_4_block3_conv_dw_batchnorm_moving_var").Select(v => v + (float)(1e-3 - 1e-5)),
            mapped.StateDict["layers.5.layers.3.layers.1.layers.1.running_var"].Values);
        Assert.Equal(model.Values("arg:dconv_34_conv_proj_conv2d_weight"), mapped.StateDict["layers.4.layers.2.layers.0.weight"].Values);
        Assert.Equal(model.Values("arg:conv_1_conv2d_weight").Select(v => v * 0.99609375f), mapped.StateDict["layers.0.layers.0.weight"].Values);
        Assert.Equal(model.Values("aux:fc1_moving_mean").Zip(model.Values("arg:pre_fc1_bias"), (m, b) => m - b),
            mapped.StateDict["features.layers.3.running_mean"].Values);
    }

    [Fact]
    public void The_mapped_embedding_head_computes_what_MXNet_computes()
    {
        var model = Model.Value;
        var mapped = MobileFaceNetMapper.Map(Symbol(model.SymbolJson()), Arrays(model));
        var wx = Enumerable.Range(0, 2 * Embedding).Select(i => (float)Math.Cos(i * 0.37)).ToArray(); // pre_fc1 output without its bias

        using var scope = torch.NewDisposeScope();
        using var bn = torch.nn.BatchNorm1d(Embedding, eps: 1e-5);
        using (torch.no_grad())
            foreach (var part in new[] { "weight", "bias", "running_mean", "running_var" })
                bn.state_dict()[part].copy_(torch.tensor(mapped.StateDict[$"features.layers.3.{part}"].Values));
        bn.eval();
        var ours = bn.forward(torch.tensor(wx, [2, Embedding])).data<float>().ToArray();

        // MXNet, by hand in float64: FullyConnected adds its bias, then BatchNorm with gamma fixed at 1 and eps 2e-5.
        var bias = model.Values("arg:pre_fc1_bias");
        var beta = model.Values("arg:fc1_beta");
        var mean = model.Values("aux:fc1_moving_mean");
        var variance = model.Values("aux:fc1_moving_var");
        for (var i = 0; i < wx.Length; i++)
        {
            var c = i % Embedding;
            var expected = (wx[i] + (double)bias[c] - mean[c]) / Math.Sqrt(variance[c] + 2e-5) + beta[c];
            Assert.Equal(expected, ours[i], 5e-6);
        }
    }

    [Fact]
    public void Residual_block_counts_come_from_the_graph()
    {
        var model = new FMobileFaceNetModel(Embedding, [2, 3, 1]);
        var mapped = MobileFaceNetMapper.Map(Symbol(model.SymbolJson()), Arrays(model));
        Assert.Equal([1, 2, 3, 1], mapped.Blocks);
        Assert.Contains("layers.5.layers.2.layers.2.layers.1.running_var", mapped.StateDict.Keys);
    }

    [FixtureFact("mxnet-params-v2")]
    public void The_real_gender_age_network_is_refused_as_not_a_MobileFaceNet()
    {
        var symbol = MxnetSymbolReader.Read(Fixtures.Path("mxnet-params-v2", "model-symbol.json"));
        var arrays = MxnetParamsReader.Read(Fixtures.Path("mxnet-params-v2", "model-0000.params"));

        var e = Assert.Throws<MxnetMappingException>(() => MobileFaceNetMapper.Map(symbol, arrays));

        Assert.Equal("MxnetGraphMismatch", e.ErrorId);
        Assert.Contains("node 'conv_1_conv2d': expected num_filter=64, found 8", e.Problems);
        Assert.Contains("node 'conv_1_relu': expected op LeakyReLU, found Activation", e.Problems);
        Assert.Contains("model-symbol.json", e.Message);
    }

    [FixtureFact("mxnet-params-v2")]
    public void The_real_gender_age_network_is_refused_as_not_a_fresnet()
    {
        var symbol = MxnetSymbolReader.Read(Fixtures.Path("mxnet-params-v2", "model-symbol.json"));
        var e = Assert.Throws<MxnetMappingException>(() => FresnetMapper.Map(symbol, []));
        Assert.Equal("MxnetGraphMismatch", e.ErrorId);
        Assert.Contains("units per stage [0, 0, 0, 0]", e.Message);
    }

    // arcface_torch backbones/mobilefacenet.py state_dict keys and shapes, written out from its module structure
    // (ConvBlock = conv, BN, PReLU; LinearBlock = conv, BN; DepthWise = ConvBlock 1x1, ConvBlock dw, LinearBlock 1x1).
    internal static Dictionary<string, long[]> MobileFaceNetShapes(int scale, int[] blocks, int embedding)
    {
        var shapes = new Dictionary<string, long[]>();
        void Block(string p, long cin, long cout, long k, long groups, bool prelu)
        {
            shapes[$"{p}.layers.0.weight"] = [cout, cin / groups, k, k];
            foreach (var s in new[] { "weight", "bias", "running_mean", "running_var" }) shapes[$"{p}.layers.1.{s}"] = [cout];
            if (prelu) shapes[$"{p}.layers.2.weight"] = [cout];
        }
        void DepthWise(string p, long cin, long cout, long groups)
        {
            Block($"{p}.layers.0", cin, groups, 1, 1, true);
            Block($"{p}.layers.1", groups, groups, 3, groups, true);
            Block($"{p}.layers.2", groups, cout, 1, 1, false);
        }
        void Residual(string p, long c, int n, long groups)
        {
            for (var i = 0; i < n; i++) DepthWise($"{p}.layers.{i}", c, c, groups);
        }
        long s = scale;
        Block("layers.0", 3, 64 * s, 3, 1, true);
        Block("layers.1", 64 * s, 64 * s, 3, 64, true);
        DepthWise("layers.2", 64 * s, 64 * s, 128);
        Residual("layers.3", 64 * s, blocks[1], 128);
        DepthWise("layers.4", 64 * s, 128 * s, 256);
        Residual("layers.5", 128 * s, blocks[2], 256);
        DepthWise("layers.6", 128 * s, 128 * s, 512);
        Residual("layers.7", 128 * s, blocks[3], 256);
        Block("conv_sep", 128 * s, 512, 1, 1, true);
        Block("features.layers.0", 512, 512, 7, 512, false);
        shapes["features.layers.2.weight"] = [embedding, 512];
        foreach (var p in new[] { "weight", "bias", "running_mean", "running_var" }) shapes[$"features.layers.3.{p}"] = [embedding];
        return shapes;
    }

    private static List<MxnetArray> Arrays(MxnetModelBuilder model) =>
        model.Arrays.Select(a => new MxnetArray(a.Name, a.Shape, MxnetDType.Float32,
            System.Runtime.InteropServices.MemoryMarshal.AsBytes(a.Values.AsSpan()).ToArray())).ToList();

    private MxnetSymbol Symbol(string json)
    {
        var path = Path.Combine(_dir, $"{Guid.NewGuid():N}-symbol.json");
        File.WriteAllText(path, json);
        return MxnetSymbolReader.Read(path);
    }
}

using System.Globalization;

namespace InsightFace.Engine.Import.Mxnet;

/// <summary>
/// Maps an InsightFace MXNet <c>fmobilefacenet</c> (recognition/symbol/fmobilefacenet.py with the GDC output) into
/// arcface_torch's <c>MobileFaceNet</c> state_dict keys (<c>layers.N...</c>, <c>conv_sep</c>, <c>features</c>). The
/// MXNet network is arcface_torch's MobileFaceNet at <c>scale</c> 1 (64 base channels) where our <c>mbf</c> uses 2:
/// the result's <see cref="MappedBackbone.Network"/> (<see cref="NetworkName"/>), <see cref="MappedBackbone.Scale"/> and
/// <see cref="MappedBackbone.Blocks"/>, read from the graph, say which MobileFaceNet to build before loading it.
/// </summary>
/// <remarks>
/// Besides what every MXNet import folds (BatchNorm eps, the graph's input scaling, fix_gamma), the MXNet
/// <c>pre_fc1</c> has a bias that arcface_torch's Linear lacks; it is folded into the following BatchNorm's running mean.
/// </remarks>
public static class MobileFaceNetMapper
{
    /// <summary>Maps <paramref name="arrays"/> described by <paramref name="symbol"/>; <paramref name="batchNormEps"/> is the eps of our BatchNorms.</summary>
    /// <exception cref="MxnetMappingException">The graph is not an fmobilefacenet, or arrays are missing, extra or misshaped.</exception>
    public static MappedBackbone Map(MxnetSymbol symbol, IReadOnlyList<MxnetArray> arrays, double batchNormEps = 1e-5)
    {
        var graph = new SymbolExpectations(symbol);
        var (input, mean, scale) = graph.InputNormalisation();
        var baseWidth = symbol.Find("conv_1_conv2d")?.Attrs.GetValueOrDefault("num_filter") is { } filters ? long.Parse(filters, CultureInfo.InvariantCulture) : 64;
        // Any other width is not a MobileFaceNet: scale 1 then makes the graph check list every difference.
        var s = baseWidth % 64 == 0 && baseWidth > 0 ? baseWidth / 64 : 1;
        int[] blocks = [1, CountBlocks(symbol, "res_3"), CountBlocks(symbol, "res_4"), CountBlocks(symbol, "res_5")];

        var taker = new ArrayTaker(arrays);
        var embedding = taker.Rows("pre_fc1_weight") ?? 512;
        var walk = new Walk(graph, new MappingBuilder(taker, graph, batchNormEps));

        var x = walk.ConvBlock("conv_1", "layers.0", input, 3, 64 * s, kernel: 3, stride: 2, groups: 1);
        x = walk.ConvBlock("conv_2_dw", "layers.1", x, 64 * s, 64 * s, kernel: 3, stride: 1, groups: 64);
        x = walk.DepthWise("dconv_23", "layers.2", x, 64 * s, 64 * s, groups: 128);
        x = walk.Residual("res_3", "layers.3", x, 64 * s, blocks[1], groups: 128);
        x = walk.DepthWise("dconv_34", "layers.4", x, 64 * s, 128 * s, groups: 256);
        x = walk.Residual("res_4", "layers.5", x, 128 * s, blocks[2], groups: 256);
        x = walk.DepthWise("dconv_45", "layers.6", x, 128 * s, 128 * s, groups: 512);
        x = walk.Residual("res_5", "layers.7", x, 128 * s, blocks[3], groups: 256);
        x = walk.ConvBlock("conv_6sep", "conv_sep", x, 128 * s, 512, kernel: 1, stride: 1, groups: 1);
        x = walk.ConvBlock("conv_6dw7_7", "features.layers.0", x, 512, 512, kernel: 7, stride: 1, groups: 512, prelu: false);
        x = graph.Expect("pre_fc1", "FullyConnected", x, ("num_hidden", embedding.ToString(CultureInfo.InvariantCulture)));
        graph.Expect("fc1", "BatchNorm", x);
        if (graph.Problems.Count > 0) throw new MxnetMappingException(ErrorIds.MxnetGraphMismatch, symbol.Source, graph.Problems);

        var notes = new List<string>();
        var map = walk.Map;
        map.Scale("layers.0.layers.0.weight", MappingBuilder.InputFactor(mean, scale, symbol.Source, notes));
        map.Weight("features.layers.2.weight", "pre_fc1_weight", [embedding, 512]);
        map.BatchNorm("fc1", "features.layers.3", embedding);
        // BN(Wx + b) with running mean m equals BN(Wx) with running mean m - b.
        var bias = taker.Take("pre_fc1_bias", [embedding]);
        if (bias.Length == embedding)
        {
            var runningMean = map.State["features.layers.3.running_mean"];
            map.State["features.layers.3.running_mean"] = runningMean with { Values = runningMean.Values.Zip(bias, (m, b) => m - b).ToArray() };
            notes.Add("pre_fc1 bias folded into features.layers.3.running_mean (arcface_torch's Linear has no bias)");
        }
        notes.Add($"BatchNorm eps of the MXNet graph folded into running_var for eps {batchNormEps}");

        var problems = taker.Problems.Concat(taker.Unused()).ToList();
        if (problems.Count > 0) throw new MxnetMappingException(ErrorIds.MxnetArrayMismatch, symbol.Source, problems);
        return new MappedBackbone(NetworkName(s), (int)embedding, map.State) { Notes = notes, Blocks = blocks, Scale = (int)s };
    }

    /// <summary>
    /// The registry name of a MobileFaceNet of width <paramref name="scale"/>: arcface_torch's <c>mbf</c> is scale 2;
    /// InsightFace's MXNet network (scale 1) is named <c>fmobilefacenet</c>, as its MXNet symbol file is.
    /// </summary>
    public static string NetworkName(long scale) => scale == 2 ? "mbf" : scale == 1 ? "fmobilefacenet" : $"mbf_scale{scale}";

    private static int CountBlocks(MxnetSymbol symbol, string residual) =>
        symbol.Operators.Count(n => n.Name.StartsWith($"{residual}_block", StringComparison.Ordinal) && n.Name.EndsWith("_conv_proj_conv2d", StringComparison.Ordinal));

    /// <summary>Checks and maps fmobilefacenet's building blocks in graph order, each onto arcface_torch's module of the same role.</summary>
    private sealed class Walk(SymbolExpectations graph, MappingBuilder map)
    {
        public MappingBuilder Map => map;

        // fmobilefacenet Conv (conv, BN, PReLU) or Linear (conv, BN) -> arcface_torch ConvBlock / LinearBlock.
        public string ConvBlock(string mx, string ours, string input, long inChannels, long outChannels, int kernel, int stride, long groups, bool prelu = true)
        {
            var pad = kernel == 3 ? 1 : 0;
            var x = graph.Expect($"{mx}_conv2d", "Convolution", input,
                ("kernel", $"({kernel},{kernel})"), ("stride", $"({stride},{stride})"), ("pad", $"({pad},{pad})"),
                ("num_filter", outChannels.ToString(CultureInfo.InvariantCulture)), ("num_group", groups.ToString(CultureInfo.InvariantCulture)));
            map.Weight($"{ours}.layers.0.weight", $"{mx}_conv2d_weight", [outChannels, inChannels / groups, kernel, kernel]);
            x = graph.Expect($"{mx}_batchnorm", "BatchNorm", x);
            map.BatchNorm($"{mx}_batchnorm", $"{ours}.layers.1", outChannels);
            if (!prelu) return x;
            map.Weight($"{ours}.layers.2.weight", $"{mx}_relu_gamma", [outChannels]);
            return graph.ExpectPRelu($"{mx}_relu", x);
        }

        // DResidual -> DepthWise: 1x1 expand to `groups` channels, 3x3 depthwise, 1x1 linear projection.
        public string DepthWise(string mx, string ours, string input, long inChannels, long outChannels, long groups, int stride = 2)
        {
            var x = ConvBlock($"{mx}_conv_sep", $"{ours}.layers.0", input, inChannels, groups, kernel: 1, stride: 1, groups: 1);
            x = ConvBlock($"{mx}_conv_dw", $"{ours}.layers.1", x, groups, groups, kernel: 3, stride: stride, groups: groups);
            return ConvBlock($"{mx}_conv_proj", $"{ours}.layers.2", x, groups, outChannels, kernel: 1, stride: 1, groups: 1, prelu: false);
        }

        // Residual: DResidual blocks named <name>_block<k>, each added to its input.
        public string Residual(string mx, string ours, string input, long channels, int count, long groups)
        {
            var x = input;
            for (var k = 0; k < count; k++)
                x = graph.ExpectAdd(DepthWise($"{mx}_block{k}", $"{ours}.layers.{k}", x, channels, channels, groups, stride: 1), x);
            return x;
        }
    }
}

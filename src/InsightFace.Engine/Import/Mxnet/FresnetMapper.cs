namespace InsightFace.Engine.Import.Mxnet;

/// <summary>
/// Maps an InsightFace MXNet <c>fresnet</c> (<c>residual_unit_v3</c>, output "E": LResNet100E-IR, r50, r34, ...)
/// into arcface_torch's <c>iresnet</c> state_dict keys. The graph is checked layer by layer first, and every
/// array must be used with the shape the backbone needs.
/// </summary>
/// <remarks>
/// Two numeric details make the mapped model compute what the MXNet one did: MXNet's BatchNorm eps (2e-5 in
/// fresnet) is folded into <c>running_var</c> for our eps, and the graph's own input scaling (×0.0078125 = 1/128)
/// is folded into <c>conv1.weight</c> for our (x − 127.5)/127.5 input. fix_gamma BatchNorms (fc1) get weight 1.
/// </remarks>
public static class FresnetMapper
{
    private static readonly long[] Widths = [64, 128, 256, 512];

    private static readonly Dictionary<string, string> Networks = new()
    {
        ["2,2,2,2"] = "r18", ["3,4,6,3"] = "r34", ["3,4,14,3"] = "r50", ["3,13,30,3"] = "r100", ["6,26,60,6"] = "r200",
    };

    /// <summary>
    /// Maps <paramref name="arrays"/> (from <see cref="MxnetParamsReader.Read"/>) described by <paramref name="symbol"/>.
    /// <paramref name="batchNormEps"/> is the eps of the BatchNorms the result is loaded into (arcface_torch: 1e-5).
    /// </summary>
    /// <exception cref="MxnetMappingException">The graph is not a fresnet we build, or arrays are missing, extra or misshaped.</exception>
    public static MappedBackbone Map(MxnetSymbol symbol, IReadOnlyList<MxnetArray> arrays, double batchNormEps = 1e-5)
    {
        var graph = new SymbolExpectations(symbol);
        var layers = CountUnits(symbol);
        if (!Networks.TryGetValue(string.Join(",", layers), out var network))
            throw new MxnetMappingException(ErrorIds.MxnetGraphMismatch, symbol.Source,
                [$"units per stage [{string.Join(", ", layers)}]: expected 4 stages of stageN_unitM nodes with one of our iresnet depths ({string.Join("; ", Networks.Select(n => $"{n.Value} [{n.Key}]"))})"]);

        var (input, mean, scale) = graph.InputNormalisation();
        CheckGraph(graph, input, layers);
        if (graph.Problems.Count > 0) throw new MxnetMappingException(ErrorIds.MxnetGraphMismatch, symbol.Source, graph.Problems);
        var notes = new List<string>();
        var inputFactor = MappingBuilder.InputFactor(mean, scale, symbol.Source, notes);

        var taker = new ArrayTaker(arrays);
        var embedding = taker.Rows("pre_fc1_weight") ?? 512;
        var map = new MappingBuilder(taker, graph, batchNormEps);

        map.Weight("conv1.weight", "conv0_weight", [64, 3, 3, 3]);
        map.Scale("conv1.weight", inputFactor);
        map.BatchNorm("bn0", "bn1", 64);
        map.Weight("prelu.weight", "relu0_gamma", [64]);

        for (var stage = 1; stage <= 4; stage++)
        {
            var width = Widths[stage - 1];
            for (var unit = 1; unit <= layers[stage - 1]; unit++)
            {
                var mx = $"stage{stage}_unit{unit}";
                var ours = $"layer{stage}.{unit - 1}";
                var inChannels = unit == 1 ? (stage == 1 ? 64 : Widths[stage - 2]) : width;
                map.BatchNorm($"{mx}_bn1", $"{ours}.bn1", inChannels);
                map.Weight($"{ours}.conv1.weight", $"{mx}_conv1_weight", [width, inChannels, 3, 3]);
                map.BatchNorm($"{mx}_bn2", $"{ours}.bn2", width);
                map.Weight($"{ours}.prelu.weight", $"{mx}_relu1_gamma", [width]);
                map.Weight($"{ours}.conv2.weight", $"{mx}_conv2_weight", [width, width, 3, 3]);
                map.BatchNorm($"{mx}_bn3", $"{ours}.bn3", width);
                if (unit == 1)
                {
                    map.Weight($"{ours}.downsample.0.weight", $"{mx}_conv1sc_weight", [width, inChannels, 1, 1]);
                    map.BatchNorm($"{mx}_sc", $"{ours}.downsample.1", width);
                }
            }
        }

        map.BatchNorm("bn1", "bn2", 512);
        map.Weight("fc.weight", "pre_fc1_weight", [embedding, 512 * 7 * 7]);
        map.Weight("fc.bias", "pre_fc1_bias", [embedding]);
        map.BatchNorm("fc1", "features", embedding);
        notes.Add($"BatchNorm eps of the MXNet graph folded into running_var for eps {batchNormEps}");

        var problems = taker.Problems.Concat(taker.Unused()).ToList();
        if (problems.Count > 0) throw new MxnetMappingException(ErrorIds.MxnetArrayMismatch, symbol.Source, problems);
        return new MappedBackbone(network, (int)embedding, map.State) { Notes = notes, Blocks = layers };
    }

    // Highest unit number per stage from the stageN_unitM_ node names; 4 zeros when there are none.
    private static int[] CountUnits(MxnetSymbol symbol)
    {
        var units = new Dictionary<int, int>();
        foreach (var node in symbol.Operators)
        {
            var match = System.Text.RegularExpressions.Regex.Match(node.Name, @"^stage(\d+)_unit(\d+)_");
            if (!match.Success) continue;
            var stage = int.Parse(match.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
            var unit = int.Parse(match.Groups[2].Value, System.Globalization.CultureInfo.InvariantCulture);
            units[stage] = Math.Max(units.GetValueOrDefault(stage), unit);
        }
        var stages = Math.Max(4, units.Count == 0 ? 0 : units.Keys.Max());
        return Enumerable.Range(1, stages).Select(s => units.GetValueOrDefault(s)).ToArray();
    }

    private static void CheckGraph(SymbolExpectations graph, string input, int[] layers)
    {
        var previous = graph.Expect("conv0", "Convolution", input, ("kernel", "(3,3)"), ("stride", "(1,1)"), ("num_filter", "64"));
        previous = graph.ExpectPRelu("relu0", graph.Expect("bn0", "BatchNorm", previous));
        for (var stage = 1; stage <= 4; stage++)
        {
            var width = Widths[stage - 1].ToString(System.Globalization.CultureInfo.InvariantCulture);
            for (var unit = 1; unit <= layers[stage - 1]; unit++)
            {
                var mx = $"stage{stage}_unit{unit}";
                var stride = unit == 1 ? "(2,2)" : "(1,1)";
                var body = graph.Expect($"{mx}_bn1", "BatchNorm", previous);
                body = graph.Expect($"{mx}_conv1", "Convolution", body, ("kernel", "(3,3)"), ("stride", "(1,1)"), ("num_filter", width));
                body = graph.ExpectPRelu($"{mx}_relu1", graph.Expect($"{mx}_bn2", "BatchNorm", body));
                body = graph.Expect($"{mx}_conv2", "Convolution", body, ("kernel", "(3,3)"), ("stride", stride), ("num_filter", width));
                body = graph.Expect($"{mx}_bn3", "BatchNorm", body);
                var shortcut = previous;
                if (unit == 1)
                {
                    shortcut = graph.Expect($"{mx}_conv1sc", "Convolution", previous, ("kernel", "(1,1)"), ("stride", stride), ("num_filter", width));
                    shortcut = graph.Expect($"{mx}_sc", "BatchNorm", shortcut);
                }
                previous = graph.ExpectAdd(body, shortcut);
            }
        }
        var head = graph.SkipDropout(graph.Expect("bn1", "BatchNorm", previous));
        graph.Expect("fc1", "BatchNorm", graph.Expect("pre_fc1", "FullyConnected", head));
    }
}

using System.Text.Json;

namespace InsightFace.Engine.Tests.Import.Mxnet;

/// <summary>
/// Test-only InsightFace MXNet fresnet (recognition/symbol/fresnet.py, residual_unit_v3, version_input 1,
/// output "E"): the -symbol.json nodes and the arg:/aux: arrays, with the names and shapes fresnet.py gives them.
/// Values are a deterministic function of the array index so tests can recompute any of them.
/// </summary>
public sealed class FresnetModel
{
    private readonly List<Dictionary<string, object>> _nodes = [];
    private readonly Dictionary<string, int> _index = [];

    public List<(string Name, long[] Shape, float[] Values)> Arrays { get; } = [];

    public FresnetModel(int[] units, int embedding)
    {
        long[] widths = [64, 128, 256, 512];
        Variable("data");
        var x = Op("_minus_scalar", "_minusscalar0", ["data"], new() { ["scalar"] = "127.5" });
        x = Op("_mul_scalar", "_mulscalar0", [x], new() { ["scalar"] = "0.0078125" });
        x = Conv("conv0", x, 3, 64, "(3, 3)", "(1, 1)", "(1, 1)");
        x = PRelu("relu0", BatchNorm("bn0", x, 64, fixGamma: false), 64);
        long channels = 64;
        for (var stage = 1; stage <= 4; stage++)
            for (var unit = 1; unit <= units[stage - 1]; unit++)
            {
                var name = $"stage{stage}_unit{unit}";
                var width = widths[stage - 1];
                var stride = unit == 1 ? "(2, 2)" : "(1, 1)";
                var body = BatchNorm($"{name}_bn1", x, channels, fixGamma: false);
                body = Conv($"{name}_conv1", body, channels, width, "(3, 3)", "(1, 1)", "(1, 1)");
                body = PRelu($"{name}_relu1", BatchNorm($"{name}_bn2", body, width, fixGamma: false), width);
                body = Conv($"{name}_conv2", body, width, width, "(3, 3)", stride, "(1, 1)");
                body = BatchNorm($"{name}_bn3", body, width, fixGamma: false);
                var shortcut = x;
                if (unit == 1)
                    shortcut = BatchNorm($"{name}_sc", Conv($"{name}_conv1sc", x, channels, width, "(1, 1)", stride, "(0, 0)"), width, fixGamma: false);
                x = Op("elemwise_add", $"_plus{_nodes.Count}", [body, shortcut], []);
                channels = width;
            }
        x = BatchNorm("bn1", x, 512, fixGamma: false);
        x = Op("Dropout", "dropout0", [x], new() { ["p"] = "0.4" });
        var fc = new Dictionary<string, string> { ["num_hidden"] = embedding.ToString() };
        Array("arg:pre_fc1_weight", [embedding, 512 * 7 * 7]);
        Array("arg:pre_fc1_bias", [embedding]);
        Variable("pre_fc1_weight", fc);
        Variable("pre_fc1_bias", fc);
        x = Op("FullyConnected", "pre_fc1", [x, "pre_fc1_weight", "pre_fc1_bias"], fc);
        BatchNorm("fc1", x, embedding, fixGamma: true);
    }

    /// <summary>The -symbol.json text, as MXNet 1.x writes it (inputs are [node, output, version]).</summary>
    public string SymbolJson(Action<List<Dictionary<string, object>>>? edit = null)
    {
        var nodes = _nodes.Select(n => new Dictionary<string, object>(n)).ToList();
        edit?.Invoke(nodes);
        return JsonSerializer.Serialize(new Dictionary<string, object>
        {
            ["nodes"] = nodes,
            ["arg_nodes"] = Enumerable.Range(0, nodes.Count).Where(i => (string)nodes[i]["op"] == "null").ToList(),
            ["heads"] = new[] { new[] { nodes.Count - 1, 0, 0 } },
            ["attrs"] = new Dictionary<string, object> { ["mxnet_version"] = new object[] { "int", 10300 } },
        });
    }

    /// <summary>The value of element <paramref name="i"/> of array number <paramref name="array"/>: small, varied, exact in float.</summary>
    public static float Value(int array, long i) => ((array * 7919 + i * 104729) % 2001 - 1000) / 4096f;

    private void Variable(string name, Dictionary<string, string>? attrs = null)
    {
        _index[name] = _nodes.Count;
        _nodes.Add(new() { ["op"] = "null", ["name"] = name, ["attrs"] = attrs ?? [], ["inputs"] = System.Array.Empty<int[]>() });
    }

    private string Op(string op, string name, string[] inputs, Dictionary<string, string> attrs)
    {
        _index[name] = _nodes.Count;
        _nodes.Add(new() { ["op"] = op, ["name"] = name, ["attrs"] = attrs, ["inputs"] = inputs.Select(i => new[] { _index[i], 0, 0 }).ToArray() });
        return name;
    }

    private void Array(string name, long[] shape)
    {
        var index = Arrays.Count;
        var values = new float[shape.Aggregate(1L, (a, b) => a * b)];
        for (long i = 0; i < values.Length; i++) values[i] = Value(index, i);
        // A variance must be positive; keep it in [0.25, 0.75).
        if (name.EndsWith("_moving_var", StringComparison.Ordinal))
            for (var i = 0; i < values.Length; i++) values[i] = 0.5f + values[i] / 4;
        Arrays.Add((name, shape, values));
    }

    private string Conv(string name, string input, long inChannels, long outChannels, string kernel, string stride, string pad)
    {
        var attrs = new Dictionary<string, string>
        {
            ["kernel"] = kernel, ["no_bias"] = "True", ["num_filter"] = outChannels.ToString(), ["pad"] = pad, ["stride"] = stride,
        };
        var k = kernel == "(3, 3)" ? 3 : 1;
        Array($"arg:{name}_weight", [outChannels, inChannels, k, k]);
        Variable($"{name}_weight", attrs);
        return Op("Convolution", name, [input, $"{name}_weight"], attrs);
    }

    private string BatchNorm(string name, string input, long channels, bool fixGamma)
    {
        var attrs = new Dictionary<string, string> { ["eps"] = "2e-05", ["fix_gamma"] = fixGamma ? "True" : "False", ["momentum"] = "0.9" };
        foreach (var (suffix, prefix) in new[] { ("gamma", "arg"), ("beta", "arg"), ("moving_mean", "aux"), ("moving_var", "aux") })
        {
            Array($"{prefix}:{name}_{suffix}", [channels]);
            Variable($"{name}_{suffix}", attrs);
        }
        return Op("BatchNorm", name, [input, $"{name}_gamma", $"{name}_beta", $"{name}_moving_mean", $"{name}_moving_var"], attrs);
    }

    private string PRelu(string name, string input, long channels)
    {
        var attrs = new Dictionary<string, string> { ["act_type"] = "prelu" };
        Array($"arg:{name}_gamma", [channels]);
        Variable($"{name}_gamma", attrs);
        return Op("LeakyReLU", name, [input, $"{name}_gamma"], attrs);
    }
}

using System.Text.Json;

namespace InsightFace.Engine.Tests.Import.Mxnet;

/// <summary>
/// Test-only maker of MXNet checkpoints as InsightFace's symbol code builds them: -symbol.json nodes and the
/// arg:/aux: arrays with their names and shapes. Values are a deterministic function of the array index.
/// </summary>
public abstract class MxnetModelBuilder
{
    private readonly List<Dictionary<string, object>> _nodes = [];
    private readonly Dictionary<string, int> _index = [];

    public List<(string Name, long[] Shape, float[] Values)> Arrays { get; } = [];

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

    /// <summary>The values stored in array <paramref name="name"/>.</summary>
    public float[] Values(string name) => Arrays.Single(a => a.Name == name).Values;

    /// <summary>Element <paramref name="i"/> of array number <paramref name="array"/>: small, varied, exact in float.</summary>
    public static float Value(int array, long i) => ((array * 7919 + i * 104729) % 2001 - 1000) / 4096f;

    /// <summary>data, then InsightFace's in-graph normalisation (x - 127.5) * 0.0078125.</summary>
    protected string NormalisedInput()
    {
        Variable("data");
        var x = Op("_minus_scalar", "_minusscalar0", ["data"], new() { ["scalar"] = "127.5" });
        return Op("_mul_scalar", "_mulscalar0", [x], new() { ["scalar"] = "0.0078125" });
    }

    protected void Variable(string name, Dictionary<string, string>? attrs = null)
    {
        _index[name] = _nodes.Count;
        _nodes.Add(new() { ["op"] = "null", ["name"] = name, ["attrs"] = attrs ?? [], ["inputs"] = System.Array.Empty<int[]>() });
    }

    protected string Op(string op, string name, string[] inputs, Dictionary<string, string> attrs)
    {
        _index[name] = _nodes.Count;
        _nodes.Add(new() { ["op"] = op, ["name"] = name, ["attrs"] = attrs, ["inputs"] = inputs.Select(i => new[] { _index[i], 0, 0 }).ToArray() });
        return name;
    }

    protected string Add(string a, string b) => Op("elemwise_add", $"_plus{_nodes.Count}", [a, b], []);

    protected void Array(string name, long[] shape)
    {
        var index = Arrays.Count;
        var values = new float[shape.Aggregate(1L, (a, b) => a * b)];
        for (long i = 0; i < values.Length; i++) values[i] = Value(index, i);
        // A variance must be positive; keep it in [0.25, 0.75).
        if (name.EndsWith("_moving_var", StringComparison.Ordinal))
            for (var i = 0; i < values.Length; i++) values[i] = 0.5f + values[i] / 4;
        Arrays.Add((name, shape, values));
    }

    /// <summary>mx.sym.Convolution with no_bias; weight [out, in/groups, k, k].</summary>
    protected string Conv(string name, string input, long inChannels, long outChannels, int kernel, int stride, int pad, long groups = 1)
    {
        var attrs = new Dictionary<string, string>
        {
            ["kernel"] = $"({kernel}, {kernel})", ["no_bias"] = "True", ["num_filter"] = outChannels.ToString(),
            ["num_group"] = groups.ToString(), ["pad"] = $"({pad}, {pad})", ["stride"] = $"({stride}, {stride})",
        };
        Array($"arg:{name}_weight", [outChannels, inChannels / groups, kernel, kernel]);
        Variable($"{name}_weight", attrs);
        return Op("Convolution", name, [input, $"{name}_weight"], attrs);
    }

    /// <summary>mx.sym.BatchNorm; <paramref name="eps"/> null leaves the attribute out (MXNet's default 1e-3 applies).</summary>
    protected string BatchNorm(string name, string input, long channels, bool fixGamma, string? eps = "2e-05")
    {
        var attrs = new Dictionary<string, string> { ["fix_gamma"] = fixGamma ? "True" : "False", ["momentum"] = "0.9" };
        if (eps is not null) attrs["eps"] = eps;
        foreach (var (suffix, prefix) in new[] { ("gamma", "arg"), ("beta", "arg"), ("moving_mean", "aux"), ("moving_var", "aux") })
        {
            Array($"{prefix}:{name}_{suffix}", [channels]);
            Variable($"{name}_{suffix}", attrs);
        }
        return Op("BatchNorm", name, [input, $"{name}_gamma", $"{name}_beta", $"{name}_moving_mean", $"{name}_moving_var"], attrs);
    }

    /// <summary>mx.sym.LeakyReLU(act_type='prelu') with its gamma.</summary>
    protected string PRelu(string name, string input, long channels)
    {
        var attrs = new Dictionary<string, string> { ["act_type"] = "prelu" };
        Array($"arg:{name}_gamma", [channels]);
        Variable($"{name}_gamma", attrs);
        return Op("LeakyReLU", name, [input, $"{name}_gamma"], attrs);
    }

    /// <summary>mx.sym.FullyConnected with bias, named <paramref name="name"/>.</summary>
    protected string FullyConnected(string name, string input, long inFeatures, long outFeatures)
    {
        var attrs = new Dictionary<string, string> { ["num_hidden"] = outFeatures.ToString() };
        Array($"arg:{name}_weight", [outFeatures, inFeatures]);
        Array($"arg:{name}_bias", [outFeatures]);
        Variable($"{name}_weight", attrs);
        Variable($"{name}_bias", attrs);
        return Op("FullyConnected", name, [input, $"{name}_weight", $"{name}_bias"], attrs);
    }
}

namespace InsightFace.Engine.Import.Mxnet;

/// <summary>
/// Checks an MXNet symbol graph, node by node, against the layer sequence a mapper expects, collecting every
/// mismatch so that one error can list them all.
/// </summary>
internal sealed class SymbolExpectations(MxnetSymbol symbol)
{
    private static readonly string[] AddOps = ["elemwise_add", "_Plus", "_plus", "broadcast_add"];

    // MXNet's values for Convolution attributes that a symbol file may leave out.
    private static readonly Dictionary<string, string> Defaults = new() { ["num_group"] = "1", ["stride"] = "(1,1)", ["pad"] = "(0,0)" };

    private readonly Dictionary<string, MxnetSymbolNode> _byName = symbol.Nodes.GroupBy(n => n.Name).ToDictionary(g => g.Key, g => g.Last());

    public List<string> Problems { get; } = [];

    /// <summary>
    /// Expects operator <paramref name="name"/> of type <paramref name="op"/> whose data input is the node
    /// <paramref name="input"/>, and the given attributes (compared after removing spaces). Returns its name.
    /// </summary>
    public string Expect(string name, string op, string input, params (string Key, string Value)[] attrs)
    {
        if (!_byName.TryGetValue(name, out var node) || node.IsVariable)
        {
            Problems.Add($"node '{name}': expected a {op} whose input is '{input}', but the graph has no such operator");
            return name;
        }
        if (node.Op != op)
            Problems.Add($"node '{name}': expected op {op}, found {node.Op}");
        var actualInput = node.Inputs.Count > 0 ? symbol.Nodes[node.Inputs[0]].Name : "(none)";
        if (actualInput != input)
            Problems.Add($"node '{name}': expected input '{input}', found '{actualInput}'");
        foreach (var (key, value) in attrs)
        {
            var actual = node.Attrs.TryGetValue(key, out var text) ? text.Replace(" ", "", StringComparison.Ordinal)
                : Defaults.GetValueOrDefault(key, "(absent)");
            if (actual != value)
                Problems.Add($"node '{name}': expected {key}={value}, found {actual}");
        }
        return name;
    }

    /// <summary>Expects a PReLU (MXNet LeakyReLU with act_type prelu) named <paramref name="name"/>.</summary>
    public string ExpectPRelu(string name, string input) => Expect(name, "LeakyReLU", input, ("act_type", "prelu"));

    /// <summary>The element-wise add whose two inputs are <paramref name="a"/> and <paramref name="b"/>.</summary>
    public string ExpectAdd(string a, string b)
    {
        var add = symbol.Operators.FirstOrDefault(n => AddOps.Contains(n.Op) && n.Inputs.Count == 2
            && new[] { symbol.Nodes[n.Inputs[0]].Name, symbol.Nodes[n.Inputs[1]].Name }.Order().SequenceEqual(new[] { a, b }.Order()));
        if (add is null)
        {
            Problems.Add($"residual add of '{a}' and '{b}': expected an elemwise_add of the two, but the graph has none");
            return $"{a}+{b}";
        }
        return add.Name;
    }

    /// <summary>The BatchNorm epsilon of <paramref name="name"/> (MXNet's default 1e-3 when the attribute is absent).</summary>
    public double BatchNormEps(string name) =>
        _byName.TryGetValue(name, out var node) && node.Attrs.TryGetValue("eps", out var eps)
            ? double.Parse(eps, System.Globalization.CultureInfo.InvariantCulture)
            : 1e-3;

    /// <summary>Whether BatchNorm <paramref name="name"/> ignores its gamma (MXNet's default fix_gamma is True).</summary>
    public bool FixGamma(string name) =>
        !_byName.TryGetValue(name, out var node) || !node.Attrs.TryGetValue("fix_gamma", out var fix)
        || fix.Equals("True", StringComparison.OrdinalIgnoreCase) || fix == "1";

    /// <summary>The node that consumes <paramref name="name"/> first, skipping a Dropout (identity at inference).</summary>
    public string SkipDropout(string name)
    {
        var index = _byName.TryGetValue(name, out var node) ? node.Index : -1;
        var dropout = symbol.Operators.FirstOrDefault(n => n.Op == "Dropout" && n.Inputs.Count > 0 && n.Inputs[0] == index);
        return dropout?.Name ?? name;
    }

    /// <summary>
    /// Follows the data input through the normalisation MXNet models keep in their graph
    /// (<c>_minus_scalar</c>, <c>_mul_scalar</c>, <c>_div_scalar</c>, identity): the last node's name, and the
    /// mean and scale of <c>(x - mean) * scale</c> (0 and 1 when the graph has none).
    /// </summary>
    public (string Output, double Mean, double Scale) InputNormalisation()
    {
        var current = _byName.TryGetValue("data", out var data) ? data : null;
        if (current is null)
        {
            Problems.Add("node 'data': the graph has no input variable named 'data'");
            return ("data", 0, 1);
        }
        double mean = 0, scale = 1;
        while (symbol.Operators.FirstOrDefault(n => n.Inputs.Count == 1 && n.Inputs[0] == current.Index) is { } next
               && next.Op is "_minus_scalar" or "_mul_scalar" or "_div_scalar" or "identity" or "_copy")
        {
            var value = next.Attrs.TryGetValue("scalar", out var text) ? double.Parse(text, System.Globalization.CultureInfo.InvariantCulture) : 0;
            switch (next.Op)
            {
                case "_minus_scalar": mean += value / scale; break;
                case "_mul_scalar": scale *= value; break;
                case "_div_scalar": scale /= value; break;
            }
            current = next;
        }
        return (current.Name, mean, scale);
    }
}

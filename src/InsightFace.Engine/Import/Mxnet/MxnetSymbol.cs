namespace InsightFace.Engine.Import.Mxnet;

/// <summary>One node of an MXNet <c>-symbol.json</c> graph. <see cref="Op"/> is the string <c>"null"</c> for variables (weights, data).</summary>
public sealed record MxnetSymbolNode(int Index, string Op, string Name, IReadOnlyDictionary<string, string> Attrs, IReadOnlyList<int> Inputs)
{
    /// <summary>True for a variable node (MXNet op <c>null</c>): the data input or a weight.</summary>
    public bool IsVariable => Op == "null";
}

/// <summary>An MXNet symbol graph from <paramref name="Source"/>: nodes in topological order, as <c>-symbol.json</c> stores them.</summary>
public sealed record MxnetSymbol(string Source, IReadOnlyList<MxnetSymbolNode> Nodes, int MxnetVersion)
{
    /// <summary>The node with <paramref name="name"/>, or null.</summary>
    public MxnetSymbolNode? Find(string name) => Nodes.FirstOrDefault(n => n.Name == name);

    /// <summary>The operator nodes (not variables) in graph order.</summary>
    public IEnumerable<MxnetSymbolNode> Operators => Nodes.Where(n => !n.IsVariable);
}

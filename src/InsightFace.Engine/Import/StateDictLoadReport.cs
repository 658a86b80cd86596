namespace InsightFace.Engine.Import;

/// <summary>What loading a state dict into a model did: the keys loaded, and the ones that did not fit.</summary>
public sealed record StateDictLoadReport(
    IReadOnlyList<string> Loaded,
    IReadOnlyList<string> Missing,
    IReadOnlyList<string> Unexpected,
    IReadOnlyList<string> ShapeMismatches)
{
    /// <summary>True when every model key was loaded and the file had nothing else.</summary>
    public bool IsComplete => Missing.Count == 0 && Unexpected.Count == 0 && ShapeMismatches.Count == 0;

    /// <summary>One line per key that did not fit, for warnings and errors.</summary>
    public string Describe() =>
        string.Concat(
            Missing.Select(k => $"{Environment.NewLine}  missing in the file: {k}")
                .Concat(Unexpected.Select(k => $"{Environment.NewLine}  not in the model: {k}"))
                .Concat(ShapeMismatches.Select(k => $"{Environment.NewLine}  shape differs: {k}")));
}

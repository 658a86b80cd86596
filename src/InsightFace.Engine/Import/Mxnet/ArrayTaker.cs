namespace InsightFace.Engine.Import.Mxnet;

/// <summary>
/// Hands out the arrays of a <c>.params</c> file by bare name and expected shape, collecting the missing and
/// misshaped ones, and reports those never taken.
/// </summary>
internal sealed class ArrayTaker(IReadOnlyList<MxnetArray> arrays)
{
    private readonly Dictionary<string, MxnetArray> _byName = arrays.ToDictionary(a => a.BareName);
    private readonly HashSet<string> _taken = [];

    public List<string> Problems { get; } = [];

    /// <summary>The values of <paramref name="name"/> if it exists with <paramref name="shape"/>; otherwise records why not.</summary>
    public float[] Take(string name, long[] shape)
    {
        _taken.Add(name);
        if (!_byName.TryGetValue(name, out var array))
        {
            Problems.Add($"array '{name}': missing (expected shape [{string.Join(", ", shape)}])");
            return [];
        }
        if (!array.Shape.SequenceEqual(shape))
        {
            Problems.Add($"array '{name}': shape [{string.Join(", ", array.Shape)}], expected [{string.Join(", ", shape)}]");
            return [];
        }
        return array.ToSingles();
    }

    /// <summary>The first dimension of <paramref name="name"/>, or null when it is absent.</summary>
    public long? Rows(string name) => _byName.TryGetValue(name, out var a) && a.Shape.Length > 0 ? a.Shape[0] : null;

    /// <summary>One problem line per array that no mapping rule took.</summary>
    public IEnumerable<string> Unused() =>
        _byName.Keys.Where(n => !_taken.Contains(n)).Order(StringComparer.Ordinal).Select(n => $"array '{n}': not part of the backbone (unexpected)");
}

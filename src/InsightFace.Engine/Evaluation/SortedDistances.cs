namespace InsightFace.Engine.Evaluation;

/// <summary>
/// The distances of one subset of pairs, split by label and sorted, so that the counts of <c>dist &lt; t</c>
/// that verification.py takes with numpy for every threshold come from a binary search.
/// </summary>
internal sealed class SortedDistances
{
    private readonly double[] _same;
    private readonly double[] _different;

    /// <summary>Collects the pairs whose index <paramref name="include"/> accepts.</summary>
    public SortedDistances(ReadOnlySpan<double> distances, ReadOnlySpan<bool> isSame, Func<int, bool> include)
    {
        var same = new List<double>();
        var different = new List<double>();
        for (var i = 0; i < distances.Length; i++)
            if (include(i)) (isSame[i] ? same : different).Add(distances[i]);
        _same = [.. same.Order()];
        _different = [.. different.Order()];
    }

    /// <summary>Pairs of the same identity.</summary>
    public int SameCount => _same.Length;

    /// <summary>Pairs of different identities.</summary>
    public int DifferentCount => _different.Length;

    /// <summary>All pairs.</summary>
    public int Count => _same.Length + _different.Length;

    /// <summary>Same pairs predicted same (<c>dist &lt; threshold</c>): true accepts.</summary>
    public int TrueAccepts(double threshold) => CountBelow(_same, threshold);

    /// <summary>Different pairs predicted same: false accepts.</summary>
    public int FalseAccepts(double threshold) => CountBelow(_different, threshold);

    private static int CountBelow(double[] sorted, double threshold)
    {
        int low = 0, high = sorted.Length;
        while (low < high)
        {
            var mid = (low + high) >>> 1;
            if (sorted[mid] < threshold) low = mid + 1;
            else high = mid;
        }
        return low;
    }
}

namespace InsightFace.Engine.Evaluation;

/// <summary>numpy's <c>mean</c> and default (population, ddof = 0) <c>std</c>.</summary>
internal static class Statistics
{
    public static double Mean(IReadOnlyList<double> values)
    {
        var sum = 0.0;
        foreach (var v in values) sum += v;
        return sum / values.Count;
    }

    public static double PopulationStd(IReadOnlyList<double> values)
    {
        var mean = Mean(values);
        var squares = 0.0;
        foreach (var v in values) squares += (v - mean) * (v - mean);
        return Math.Sqrt(squares / values.Count);
    }
}

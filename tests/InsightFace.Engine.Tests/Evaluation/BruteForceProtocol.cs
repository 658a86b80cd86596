namespace InsightFace.Engine.Tests.Evaluation;

/// <summary>
/// An independent, deliberately naive float64 rendering of verification.py's evaluate(): explicit index lists,
/// a full scan per threshold, ties resolved by scanning from the largest threshold down with >=, and the
/// VAL threshold by the textbook two-point formula.
/// </summary>
internal static class BruteForceProtocol
{
    public static double[] Grid(int count, double step) => Enumerable.Range(0, count).Select(i => i * step).ToArray();

    public static List<(int[] Train, int[] Test)> Folds(int n)
    {
        // sklearn: n // 10 each, the remainder spread one by one over the first folds.
        var sizes = Enumerable.Repeat(n / 10, 10).ToArray();
        for (var i = 0; i < n % 10; i++) sizes[i]++;
        var result = new List<(int[], int[])>();
        var start = 0;
        foreach (var size in sizes)
        {
            var test = Enumerable.Range(start, size).ToArray();
            result.Add((Enumerable.Range(0, n).Except(test).ToArray(), test));
            start += size;
        }
        return result;
    }

    public static (double Accuracy, double Std, double[] FoldThresholds) Accuracy(double[] dist, bool[] same)
    {
        var thresholds = Grid(400, 0.01);
        var accuracies = new List<double>();
        var chosen = new List<double>();
        foreach (var (train, test) in Folds(dist.Length))
        {
            var best = double.NaN;
            var bestAccuracy = -1.0;
            for (var t = thresholds.Length - 1; t >= 0; t--)
            {
                var acc = Acc(thresholds[t], train, dist, same);
                if (acc >= bestAccuracy) (bestAccuracy, best) = (acc, thresholds[t]);
            }
            chosen.Add(best);
            accuracies.Add(Acc(best, test, dist, same));
        }
        var mean = accuracies.Average();
        return (mean, Math.Sqrt(accuracies.Select(a => (a - mean) * (a - mean)).Average()), chosen.ToArray());
    }

    public static (double Val, double Far) Val(double[] dist, bool[] same)
    {
        var thresholds = Grid(4000, 0.001);
        var vals = new List<double>();
        var fars = new List<double>();
        foreach (var (train, test) in Folds(dist.Length))
        {
            var far = thresholds.Select(t => Rates(t, train, dist, same).Far).ToArray();
            double threshold = 0;
            if (far.Max() >= 1e-3)
            {
                var j = Array.FindLastIndex(far, f => f <= 1e-3);
                threshold = thresholds[j] + (1e-3 - far[j]) * (thresholds[j + 1] - thresholds[j]) / (far[j + 1] - far[j]);
            }
            var (val, testFar) = Rates(threshold, test, dist, same);
            vals.Add(val);
            fars.Add(testFar);
        }
        return (vals.Average(), fars.Average());
    }

    private static double Acc(double threshold, int[] idx, double[] dist, bool[] same) =>
        idx.Count(i => (dist[i] < threshold) == same[i]) / (double)idx.Length;

    private static (double Val, double Far) Rates(double threshold, int[] idx, double[] dist, bool[] same) =>
        (idx.Count(i => same[i] && dist[i] < threshold) / (double)idx.Count(i => same[i]),
         idx.Count(i => !same[i] && dist[i] < threshold) / (double)idx.Count(i => !same[i]));
}

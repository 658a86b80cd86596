namespace InsightFace.Engine.Evaluation;

/// <summary>
/// verification.py's <c>calculate_val</c>: per fold, the threshold where the train FAR reaches the target,
/// interpolated as <c>scipy.interpolate.interp1d(far, thresholds, kind='slinear')</c>, then VAL and FAR on the test fold.
/// </summary>
/// <remarks>
/// The train FAR curve repeats values, which scipy 1.9 and later reject ("Expect x to not have duplicates");
/// arcface_torch's numbers come from scipy up to 1.8.1, whose degree-1 B-spline evaluation this mirrors. Where
/// verification.py would divide by zero (a fold without same or without different pairs), the result is NaN.
/// </remarks>
internal static class ValEvaluation
{
    /// <summary>The mean VAL and its population std, and the mean FAR, over the folds.</summary>
    public sealed record Result(double Val, double ValStd, double Far);

    public static Result Calculate(double[] thresholds, ReadOnlySpan<double> distances, ReadOnlySpan<bool> isSame,
        int folds, double farTarget)
    {
        var val = new double[folds];
        var far = new double[folds];
        var split = KFold.TestFolds(distances.Length, folds);
        var farTrain = new double[thresholds.Length];
        for (var f = 0; f < folds; f++)
        {
            var (start, count) = split[f];
            var train = new SortedDistances(distances, isSame, i => i < start || i >= start + count);
            var test = new SortedDistances(distances, isSame, i => i >= start && i < start + count);
            if (train.SameCount == 0 || train.DifferentCount == 0 || test.SameCount == 0 || test.DifferentCount == 0)
                return new Result(double.NaN, double.NaN, double.NaN);

            for (var t = 0; t < thresholds.Length; t++)
                farTrain[t] = (double)train.FalseAccepts(thresholds[t]) / train.DifferentCount;
            var threshold = farTrain.Max() >= farTarget ? SLinear(farTrain, thresholds, farTarget) : 0.0;

            val[f] = (double)test.TrueAccepts(threshold) / test.SameCount;
            far[f] = (double)test.FalseAccepts(threshold) / test.DifferentCount;
        }
        return new Result(Statistics.Mean(val), Statistics.PopulationStd(val), Statistics.Mean(far));
    }

    /// <summary>
    /// scipy 1.8's <c>interp1d(x, y, kind='slinear')(value)</c> for sorted <paramref name="x"/> with
    /// <c>x[0] &lt;= value &lt;= x[^1]</c>: a degree-1 B-spline on knots <c>[x0, x0, x1 … x(n-1), x(n-1)]</c>.
    /// </summary>
    internal static double SLinear(double[] x, double[] y, double value)
    {
        var n = x.Length;
        double Knot(int j) => x[Math.Clamp(j - 1, 0, n - 1)];

        // find_interval: the last knot interval [t(l), t(l+1)) holding value, capped at l = n - 1.
        var l = 2;
        while (value >= Knot(l) && l != n) l++;
        l--;

        // _deBoor_D for k = 1; equal end knots give zero weights, so the result is 0 there, as in scipy.
        double left = 0, right = 0;
        double xb = Knot(l + 1), xa = Knot(l);
        if (xb != xa)
        {
            var w = 1.0 / (xb - xa);
            left = w * (xb - value);
            right = w * (value - xa);
        }
        return y[l - 1] * left + y[l] * right;
    }
}

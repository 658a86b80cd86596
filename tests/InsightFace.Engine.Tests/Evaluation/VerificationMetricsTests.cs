using InsightFace.Engine.Evaluation;

namespace InsightFace.Engine.Tests.Evaluation;

public class VerificationMetricsTests
{
    [Theory]
    [InlineData(25, new[] { 3, 3, 3, 3, 3, 2, 2, 2, 2, 2 })]
    [InlineData(10, new[] { 1, 1, 1, 1, 1, 1, 1, 1, 1, 1 })]
    [InlineData(6000, new[] { 600, 600, 600, 600, 600, 600, 600, 600, 600, 600 })]
    public void Folds_are_contiguous_with_sklearns_sizes(int pairs, int[] sizes)
    {
        var folds = KFold.TestFolds(pairs, 10);
        Assert.Equal(sizes, folds.Select(f => f.Count));
        Assert.Equal(0, folds[0].Start);
        for (var i = 1; i < folds.Length; i++) Assert.Equal(folds[i - 1].Start + folds[i - 1].Count, folds[i].Start);
    }

    [Fact]
    public void Fewer_pairs_than_folds_is_an_error_as_in_sklearn()
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => VerificationMetrics.Evaluate(new double[9], new bool[9]));
        Assert.Contains("at least 10 pairs", e.Message);
    }

    [Fact]
    public void Threshold_grids_equal_numpy_arange()
    {
        // Values printed by numpy 1.24: np.arange(0, 4, 0.01) and np.arange(0, 4, 0.001).
        var coarse = VerificationMetrics.Arange(4, 0.01);
        var fine = VerificationMetrics.Arange(4, 0.001);
        Assert.Equal(400, coarse.Length);
        Assert.Equal(4000, fine.Length);
        Assert.Equal(0.5700000000000001, coarse[57]);
        Assert.Equal(0.7000000000000001, coarse[70]);
        Assert.Equal(3.99, coarse[399]);
        Assert.Equal(1.0010000000000001, fine[1001]);
        Assert.Equal(1.5, fine[1500]);
        Assert.Equal(3.999, fine[3999]);
    }

    [Fact]
    public void Separated_pairs_score_one_at_the_smallest_separating_threshold()
    {
        // Pairs alternate same (0.5) and different (1.5): every fold's train set is separated by any threshold in
        // (0.5, 1.5]; the smallest grid value there is 0.51. VAL: the train FAR steps from 0 (thresholds up to 1.5)
        // to 1 (from 1.501), so interp1d gives 1.5 + 0.001·(1.501 − 1.5) = 1.500001, which accepts both test pairs.
        var distances = Enumerable.Range(0, 20).Select(i => i % 2 == 0 ? 0.5 : 1.5).ToArray();
        var same = Enumerable.Range(0, 20).Select(i => i % 2 == 0).ToArray();

        var m = VerificationMetrics.Evaluate(distances, same);

        Assert.Equal(1.0, m.Accuracy);
        Assert.Equal(0.0, m.AccuracyStd);
        Assert.All(m.FoldThresholds, t => Assert.Equal(0.51, t, 12));
        Assert.Equal(0.51, m.Threshold, 12);
        Assert.Equal(1.0, m.TarAtFar);
        Assert.Equal(1.0, m.Far);
    }

    [Fact]
    public void Equal_train_accuracies_choose_the_smallest_threshold()
    {
        // Four same pairs at 0.2055, three different at 0.3055, three same at 0.4055 (one pair per fold).
        // Train accuracy is (same below + different above): with all ten, 7/10 for t in (0.2055, 0.3055] and
        // again 7/10 for t > 0.4055. Holding out a first-group pair keeps that tie (→ 0.21); holding out a
        // different pair makes the upper region win (→ 0.41); holding out a last-group pair favours 0.21.
        // Test accuracies: 1 for folds 0–3, 0 for folds 4–9, so 0.4 ± sqrt(0.24).
        double[] distances = [0.2055, 0.2055, 0.2055, 0.2055, 0.3055, 0.3055, 0.3055, 0.4055, 0.4055, 0.4055];
        bool[] same = [true, true, true, true, false, false, false, true, true, true];

        var m = VerificationMetrics.Evaluate(distances, same);

        Assert.Equal([0.21, 0.21, 0.21, 0.21, 0.41, 0.41, 0.41, 0.21, 0.21, 0.21], m.FoldThresholds.Select(t => Math.Round(t, 12)));
        Assert.Equal(0.4, m.Accuracy, 12);
        Assert.Equal(Math.Sqrt(0.24), m.AccuracyStd, 12);
        Assert.Equal(0.27, m.Threshold, 12);
        // Every test fold holds one pair, so verification.py would divide by zero in calculate_val_far.
        Assert.True(double.IsNaN(m.TarAtFar));
        Assert.True(double.IsNaN(m.Far));
    }

    [Fact]
    public void Val_interpolates_the_threshold_where_train_far_reaches_one_in_a_thousand()
    {
        // Fold f tests pair 2f (same, 0.1005; 1.05 for f = 3) and pair 2f+1 (different, 1.0005 + 0.1·f).
        // Each train set has 9 different pairs, so its FAR steps from 0 to 1/9 just above its smallest different
        // distance m: interpolating 1e-3 between (0, ⌊m⌋) and (1/9, ⌊m⌋ + 0.001) gives ⌊m⌋ + 0.000009
        // (1.000009, or 1.100009 for fold 0). Test: the same pair is accepted except in fold 3; the different pair
        // only in fold 0 (1.0005 < 1.100009). VAL = 0.9, FAR = 0.1.
        var distances = new double[20];
        var same = new bool[20];
        for (var f = 0; f < 10; f++)
        {
            distances[2 * f] = f == 3 ? 1.05 : 0.1005;
            same[2 * f] = true;
            distances[2 * f + 1] = 1.0005 + 0.1 * f;
        }

        var m = VerificationMetrics.Evaluate(distances, same);

        Assert.Equal(0.9, m.TarAtFar, 12);
        Assert.Equal(0.3, m.TarAtFarStd, 12);
        Assert.Equal(0.1, m.Far, 12);
    }

    [Theory]
    [InlineData(57, 1)]
    [InlineData(200, 2)]
    [InlineData(1001, 3)]
    public void Random_sets_match_a_brute_force_rendering_of_verification_py(int pairs, int seed)
    {
        var random = new Random(seed);
        var same = Enumerable.Range(0, pairs).Select(_ => random.Next(2) == 0).ToArray();
        // Same pairs cluster low and different pairs high, overlapping, like real unit-embedding distances.
        var distances = same.Select(s => Math.Clamp((s ? 0.8 : 1.6) + 0.45 * Gaussian(random), 0, 3.99)).ToArray();

        var m = VerificationMetrics.Evaluate(distances, same);
        var expected = BruteForceProtocol.Accuracy(distances, same);

        Assert.Equal(expected.Accuracy, m.Accuracy, 12);
        Assert.Equal(expected.Std, m.AccuracyStd, 12);
        Assert.Equal(expected.FoldThresholds, m.FoldThresholds);
        Assert.Equal(expected.FoldThresholds.Average(), m.Threshold, 12);
        if (pairs >= 200)
        {
            var val = BruteForceProtocol.Val(distances, same);
            Assert.Equal(val.Val, m.TarAtFar, 12);
            Assert.Equal(val.Far, m.Far, 12);
        }
    }

    [Fact]
    public void Roc_rates_are_fold_means_of_the_test_rates()
    {
        var distances = Enumerable.Range(0, 20).Select(i => i % 2 == 0 ? 0.5 : 1.5).ToArray();
        var same = Enumerable.Range(0, 20).Select(i => i % 2 == 0).ToArray();
        var m = VerificationMetrics.Evaluate(distances, same);
        Assert.Equal(400, m.Tpr.Count);
        Assert.Equal(0.0, m.Tpr[50]);  // 0.5 < 0.5 is false
        Assert.Equal(1.0, m.Tpr[51]);
        Assert.Equal(0.0, m.Fpr[150]);
        Assert.Equal(1.0, m.Fpr[151]);
    }

    private static double Gaussian(Random random) =>
        Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());
}

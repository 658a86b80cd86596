namespace InsightFace.Engine.Evaluation;

/// <summary>verification.py's <c>calculate_roc</c>: per-fold best train threshold, test accuracy, mean ROC.</summary>
internal static class RocEvaluation
{
    /// <summary>The outcome of the cross-validation.</summary>
    public sealed record Result(double[] FoldAccuracies, double[] FoldThresholds, double[] Tpr, double[] Fpr);

    public static Result Calculate(double[] thresholds, ReadOnlySpan<double> distances, ReadOnlySpan<bool> isSame, int folds)
    {
        var accuracies = new double[folds];
        var bestThresholds = new double[folds];
        var tpr = new double[thresholds.Length];
        var fpr = new double[thresholds.Length];
        var split = KFold.TestFolds(distances.Length, folds);
        for (var f = 0; f < folds; f++)
        {
            var (start, count) = split[f];
            var train = new SortedDistances(distances, isSame, i => i < start || i >= start + count);
            var test = new SortedDistances(distances, isSame, i => i >= start && i < start + count);

            // np.argmax: the first (smallest) threshold among equally good ones.
            var best = 0;
            var bestAccuracy = double.NegativeInfinity;
            for (var t = 0; t < thresholds.Length; t++)
            {
                var accuracy = Accuracy(train, thresholds[t]);
                if (accuracy > bestAccuracy) (best, bestAccuracy) = (t, accuracy);
            }
            for (var t = 0; t < thresholds.Length; t++)
            {
                var tp = test.TrueAccepts(thresholds[t]);
                var fp = test.FalseAccepts(thresholds[t]);
                tpr[t] += test.SameCount == 0 ? 0 : (double)tp / test.SameCount;
                fpr[t] += test.DifferentCount == 0 ? 0 : (double)fp / test.DifferentCount;
            }
            accuracies[f] = Accuracy(test, thresholds[best]);
            bestThresholds[f] = thresholds[best];
        }
        for (var t = 0; t < thresholds.Length; t++)
        {
            tpr[t] /= folds;
            fpr[t] /= folds;
        }
        return new Result(accuracies, bestThresholds, tpr, fpr);
    }

    /// <summary><c>calculate_accuracy</c>: (TP + TN) / n with "same" predicted when <c>dist &lt; threshold</c>.</summary>
    private static double Accuracy(SortedDistances pairs, double threshold)
    {
        var truePositives = pairs.TrueAccepts(threshold);
        var trueNegatives = pairs.DifferentCount - pairs.FalseAccepts(threshold);
        return (double)(truePositives + trueNegatives) / pairs.Count;
    }
}

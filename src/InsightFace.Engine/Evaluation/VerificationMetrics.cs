namespace InsightFace.Engine.Evaluation;

/// <summary>
/// InsightFace's <c>evaluate()</c> (arcface_torch <c>eval/verification.py</c>) on squared L2 distances of
/// unit embeddings: 10-fold cross-validation in file order, thresholds <c>np.arange(0, 4, 0.01)</c> for accuracy
/// and <c>np.arange(0, 4, 0.001)</c> for VAL at FAR 1e-3.
/// </summary>
public static class VerificationMetrics
{
    /// <summary>The number of folds InsightFace uses.</summary>
    public const int DefaultFolds = 10;

    /// <summary>The false accept rate VAL is reported at.</summary>
    public const double FarTarget = 1e-3;

    private static readonly double[] AccuracyThresholds = Arange(4, 0.01);
    private static readonly double[] ValThresholds = Arange(4, 0.001);

    /// <summary>
    /// Evaluates pair <c>i</c> with distance <c>distances[i]</c> and label <c>isSame[i]</c>. Needs at least
    /// <paramref name="folds"/> pairs, as sklearn's KFold does.
    /// </summary>
    public static ProtocolMetrics Evaluate(ReadOnlySpan<double> distances, ReadOnlySpan<bool> isSame, int folds = DefaultFolds)
    {
        if (distances.Length != isSame.Length)
            throw new ArgumentException($"{distances.Length} distances but {isSame.Length} labels.", nameof(isSame));

        var roc = RocEvaluation.Calculate(AccuracyThresholds, distances, isSame, folds);
        var val = ValEvaluation.Calculate(ValThresholds, distances, isSame, folds, FarTarget);
        return new ProtocolMetrics(
            Statistics.Mean(roc.FoldAccuracies), Statistics.PopulationStd(roc.FoldAccuracies),
            roc.FoldAccuracies, roc.FoldThresholds, Statistics.Mean(roc.FoldThresholds),
            val.Val, val.ValStd, val.Far, FarTarget,
            AccuracyThresholds, roc.Tpr, roc.Fpr);
    }

    /// <summary><c>np.arange(0, stop, step)</c>: ceil(stop / step) values <c>i · step</c>.</summary>
    internal static double[] Arange(double stop, double step)
    {
        var values = new double[(int)Math.Ceiling(stop / step)];
        for (var i = 0; i < values.Length; i++) values[i] = i * step;
        return values;
    }
}

namespace InsightFace.Engine.Evaluation;

/// <summary>The numbers of InsightFace's verification protocol for one set of pair distances.</summary>
/// <param name="Accuracy">Mean test-fold accuracy (0–1).</param>
/// <param name="AccuracyStd">Population standard deviation of the test-fold accuracies.</param>
/// <param name="FoldAccuracies">The test-fold accuracy of each fold.</param>
/// <param name="FoldThresholds">The best train-fold threshold of each fold.</param>
/// <param name="Threshold">The mean of <paramref name="FoldThresholds"/>, the threshold face-recognition tools report.</param>
/// <param name="TarAtFar">VAL: mean true accept rate at the train-fold threshold for <paramref name="FarTarget"/>.</param>
/// <param name="TarAtFarStd">Population standard deviation of VAL over the folds.</param>
/// <param name="Far">Mean test-fold false accept rate at those thresholds.</param>
/// <param name="FarTarget">The false accept rate VAL was taken at (1e-3).</param>
/// <param name="RocThresholds">The thresholds of the ROC curve (0, 0.01, … 3.99).</param>
/// <param name="Tpr">Mean test-fold true positive rate at each ROC threshold.</param>
/// <param name="Fpr">Mean test-fold false positive rate at each ROC threshold.</param>
public sealed record ProtocolMetrics(
    double Accuracy,
    double AccuracyStd,
    IReadOnlyList<double> FoldAccuracies,
    IReadOnlyList<double> FoldThresholds,
    double Threshold,
    double TarAtFar,
    double TarAtFarStd,
    double Far,
    double FarTarget,
    IReadOnlyList<double> RocThresholds,
    IReadOnlyList<double> Tpr,
    IReadOnlyList<double> Fpr);

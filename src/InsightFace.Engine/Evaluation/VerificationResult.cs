using System.Globalization;

namespace InsightFace.Engine.Evaluation;

/// <summary>The outcome of the InsightFace verification protocol on one target.</summary>
/// <param name="Target">The set's name, for example <c>lfw</c>.</param>
/// <param name="Pairs">Pairs in the set.</param>
/// <param name="Accuracy">Mean test-fold accuracy over the folds (0–1).</param>
/// <param name="AccuracyStd">Population standard deviation of the fold accuracies.</param>
/// <param name="XNorm">Mean L2 norm of the raw embeddings.</param>
/// <param name="Threshold">Mean of the folds' best squared-distance thresholds.</param>
/// <param name="TarAtFar">VAL at FAR 1e-3, as <c>calculate_val</c> computes it.</param>
/// <param name="Far">The false accept rate measured at those thresholds.</param>
/// <param name="Flip">Whether embeddings were fused with those of the mirrored images.</param>
/// <param name="Model">The embedder's description.</param>
/// <param name="Metrics">Every number of the protocol, including folds and the ROC curve.</param>
/// <param name="InferenceTime">Time spent inside the embedder.</param>
/// <param name="Elapsed">Time of the whole run, decoding and metrics included.</param>
public sealed record VerificationResult(
    string Target,
    int Pairs,
    double Accuracy,
    double AccuracyStd,
    double XNorm,
    double Threshold,
    double TarAtFar,
    double Far,
    bool Flip,
    string Model,
    ProtocolMetrics Metrics,
    TimeSpan InferenceTime,
    TimeSpan Elapsed)
{
    /// <summary>
    /// The lines arcface_torch logs for this result, for example <c>[lfw][2000]XNorm: 21.412345</c> and
    /// <c>[lfw][2000]Accuracy-Flip: 0.99517+-0.00340</c>; without a step, as the standalone verification.py prints.
    /// </summary>
    public IReadOnlyList<string> LogLines(int? globalStep = null)
    {
        var prefix = globalStep is { } step ? $"[{Target}][{step}]" : $"[{Target}]";
        var name = Flip ? "Accuracy-Flip" : "Accuracy";
        return
        [
            string.Create(CultureInfo.InvariantCulture, $"{prefix}XNorm: {XNorm:F6}"),
            string.Create(CultureInfo.InvariantCulture, $"{prefix}{name}: {Accuracy:F5}+-{AccuracyStd:F5}"),
        ];
    }
}

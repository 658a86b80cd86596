namespace InsightFace;

/// <summary>One verification target's result under the InsightFace protocol (10-fold, flip test by default).</summary>
public sealed class VerificationResult
{
    /// <summary>The target's name (lfw, cfp_fp, ...).</summary>
    public string Target { get; set; } = "";
    /// <summary>Number of pairs.</summary>
    public int Pairs { get; set; }
    /// <summary>Mean test-fold accuracy over the folds, 0–1.</summary>
    public double Accuracy { get; set; }
    /// <summary>Population standard deviation of the fold accuracies.</summary>
    public double AccuracyStd { get; set; }
    /// <summary>Mean L2 norm of the raw embeddings.</summary>
    public double XNorm { get; set; }
    /// <summary>Mean of the folds' best squared-distance thresholds.</summary>
    public double Threshold { get; set; }
    /// <summary>Verification rate (TAR) at FAR 1e-3.</summary>
    public double TarAtFar { get; set; }
    /// <summary>The false accept rate actually reached.</summary>
    public double Far { get; set; }
    /// <summary>True when embeddings summed the image and its horizontal flip.</summary>
    public bool Flip { get; set; }
    /// <summary>The model evaluated: a checkpoint folder or an ONNX file.</summary>
    public string Model { get; set; } = "";

    internal static VerificationResult From(Engine.Evaluation.VerificationResult result, string model) => new()
    {
        Target = result.Target,
        Pairs = result.Pairs,
        Accuracy = result.Accuracy,
        AccuracyStd = result.AccuracyStd,
        XNorm = result.XNorm,
        Threshold = result.Threshold,
        TarAtFar = result.TarAtFar,
        Far = result.Far,
        Flip = result.Flip,
        Model = model,
    };
}

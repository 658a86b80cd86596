namespace InsightFace.Engine.Evaluation;

/// <summary>How a verification run embeds its images.</summary>
public sealed record VerificationOptions
{
    /// <summary>Images per call of the embedder (each call embeds originals or their mirrored copies).</summary>
    public int BatchSize { get; init; } = 64;

    /// <summary>Fuse each image's embedding with that of its mirrored copy, as InsightFace's Accuracy-Flip does.</summary>
    public bool Flip { get; init; } = true;

    /// <summary>Cross-validation folds; InsightFace uses 10.</summary>
    public int Folds { get; init; } = VerificationMetrics.DefaultFolds;

    /// <summary>Decoded batches allowed to wait for the embedder; memory grows with this times the batch size.</summary>
    public int PrefetchBatches { get; init; } = 2;
}

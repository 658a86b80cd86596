namespace InsightFace.Engine.Evaluation;

/// <summary>How a verification run embeds its images.</summary>
public sealed record VerificationOptions
{
    /// <summary>
    /// The default batch: on a CPU, libtorch and ONNX Runtime embed faces fastest in small batches that stay in the
    /// caches. MobileFaceNet through a checkpoint, 2 threads: 76 images/s at batch 16 against 41 at batch 64, at half
    /// the memory (bench/VerificationBench/RESULTS.md). arcface_torch's own verification callback uses batch 10.
    /// </summary>
    public const int DefaultBatchSize = 16;

    /// <summary>Images per call of the embedder (each call embeds originals or their mirrored copies).</summary>
    public int BatchSize { get; init; } = DefaultBatchSize;

    /// <summary>Fuse each image's embedding with that of its mirrored copy, as InsightFace's Accuracy-Flip does.</summary>
    public bool Flip { get; init; } = true;

    /// <summary>Cross-validation folds; InsightFace uses 10.</summary>
    public int Folds { get; init; } = VerificationMetrics.DefaultFolds;

    /// <summary>Decoded batches allowed to wait for the embedder; memory grows with this times the batch size.</summary>
    public int PrefetchBatches { get; init; } = 2;
}

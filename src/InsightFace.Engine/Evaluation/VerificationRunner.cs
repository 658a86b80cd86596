using System.Diagnostics;
using InsightFace.Engine.Data.Verification;

namespace InsightFace.Engine.Evaluation;

/// <summary>
/// Runs InsightFace's verification protocol for one embedder: decode (on a background thread), embed the
/// original and mirrored images in batches, fuse, then the 10-fold metrics. Runs on the calling thread, which
/// TorchSharp's per-thread dispose scopes and no_grad need, and reports progress on it.
/// </summary>
public sealed class VerificationRunner(IFaceEmbedder embedder, VerificationOptions? options = null)
{
    private readonly VerificationOptions _options = Validate(options ?? new VerificationOptions());
    private int _embeddingSize = -1;

    /// <summary>Reads the <c>.bin</c> at <paramref name="binPath"/> and verifies it; the target is the file's name.</summary>
    public VerificationResult Run(string binPath, IProgress<VerificationProgress>? progress = null,
        CancellationToken cancellationToken = default) =>
        Run(Path.GetFileNameWithoutExtension(binPath), VerificationBinReader.Read(binPath), progress, cancellationToken);

    /// <summary>Verifies <paramref name="set"/>, reporting progress after every batch.</summary>
    public VerificationResult Run(string target, VerificationSet set, IProgress<VerificationProgress>? progress = null,
        CancellationToken cancellationToken = default)
    {
        if (set.Pairs < _options.Folds)
            throw new EvaluationException(ErrorIds.VerificationTooFewPairs,
                $"'{target}' has {set.Pairs} pairs; {_options.Folds}-fold cross-validation needs at least {_options.Folds}.");

        var elapsed = Stopwatch.StartNew();
        var inference = new Stopwatch();
        var accumulator = new EmbeddingAccumulator(set.Images.Count);
        using (var producer = new ImageBatchProducer(target, set.Images, embedder.InputTransform, _options.BatchSize, _options.Flip,
                   _options.PrefetchBatches + 1, cancellationToken))
        {
            foreach (var batch in producer.Batches())
            {
                inference.Start();
                var original = EmbedChecked(batch.Original, batch.Count, batch.Start);
                var flipped = batch.Flipped is null ? null : EmbedChecked(batch.Flipped, batch.Count, batch.Start);
                inference.Stop();
                producer.Release(batch);
                accumulator.Add(original, flipped);
                progress?.Report(new VerificationProgress(target, accumulator.Count, set.Images.Count));
            }
        }

        var metrics = VerificationMetrics.Evaluate(accumulator.Distances, set.IsSame.ToArray(), _options.Folds);
        return new VerificationResult(target, set.Pairs, metrics.Accuracy, metrics.AccuracyStd, accumulator.XNorm,
            metrics.Threshold, metrics.TarAtFar, metrics.Far, _options.Flip, embedder.Description, metrics,
            inference.Elapsed, elapsed.Elapsed);
    }

    private float[,] EmbedChecked(float[] images, int count, int start)
    {
        var embeddings = embedder.Embed(images, count);
        if (embeddings.GetLength(0) != count || (_embeddingSize >= 0 && embeddings.GetLength(1) != _embeddingSize))
            throw new EvaluationException(ErrorIds.EmbeddingShapeInvalid,
                $"{embedder.Description} returned [{embeddings.GetLength(0)}, {embeddings.GetLength(1)}] for images " +
                $"{start}..{start + count - 1}; expected [{count}, {(_embeddingSize >= 0 ? _embeddingSize : "E")}].");
        _embeddingSize = embeddings.GetLength(1);
        return embeddings;
    }

    private static VerificationOptions Validate(VerificationOptions options)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(options.BatchSize, nameof(options.BatchSize));
        ArgumentOutOfRangeException.ThrowIfLessThan(options.Folds, 2, nameof(options.Folds));
        ArgumentOutOfRangeException.ThrowIfNegative(options.PrefetchBatches, nameof(options.PrefetchBatches));
        return options;
    }
}

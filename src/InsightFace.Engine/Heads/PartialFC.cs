using InsightFace.Engine.Runtime;
using InsightFace.Engine.Distributed;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace InsightFace.Engine.Heads;

/// <summary>
/// Partial FC (arcface_torch's <c>PartialFC_V2</c>): the class centres are sharded over the ranks of an
/// <see cref="ICollectives"/>; each step every rank gathers the global batch, keeps its positive centres and a
/// random sample of negatives (<c>int(sample_rate × local classes)</c> in all), applies the
/// <see cref="CombinedMarginLoss"/> and a distributed softmax cross-entropy. <c>sample_rate</c> 1 is plain model
/// parallelism, equal to a full softmax.
/// </summary>
/// <remarks>
/// <para>
/// <see cref="nn.Module{T1,T2,TResult}.forward"/> returns the mean loss over the global batch, the same on every
/// rank. Its backward pass fills <see cref="weight"/>'s gradient and the local embeddings' gradient with the exact
/// gradient of that loss. The head's own backward pass (including the reduction of embedding gradients across
/// ranks) runs inside the forward call, so backward needs no communication; the backbone gradients must then be
/// summed, not averaged, across ranks.
/// </para>
/// <para>
/// Only the sampled centres receive gradient. <see cref="ForwardSampled"/> returns which rows they are, so that the
/// caller can hand them to <see cref="SparseCenterSgd"/>, which leaves the others without momentum or weight decay.
/// </para>
/// </remarks>
public sealed class PartialFC : nn.Module<Tensor, Tensor, Tensor>
{
    private readonly CombinedMarginLoss margin;
    private readonly ICollectives collectives;
    private readonly Generator? sampling;

    /// <summary>This rank's class centres, one row per class of <see cref="Shard"/>; state_dict key <c>weight</c>.</summary>
    public readonly Parameter weight;

    /// <summary>
    /// Creates this rank's shard, its centres drawn from N(0, 0.01) as arcface_torch does.
    /// </summary>
    /// <param name="margin">The margin applied to the logits.</param>
    /// <param name="embeddingSize">E, the backbone's embedding length.</param>
    /// <param name="numClasses">C, the classes of the whole dataset.</param>
    /// <param name="sampleRate">The fraction of each shard's centres used per step, in [0, 1].</param>
    /// <param name="collectives">The job's collectives; <see cref="SingleProcessCollectives.Instance"/> for one process.</param>
    /// <param name="device">The device for the centres; null means the CPU.</param>
    /// <param name="dtype">The floating-point type for the centres; null means float32.</param>
    /// <param name="sampling">The random source for choosing negatives; null means libtorch's default generator.</param>
    /// <exception cref="HeadConfigurationException">An argument is out of range.</exception>
    public PartialFC(CombinedMarginLoss margin, long embeddingSize, long numClasses, double sampleRate,
        ICollectives collectives, Device? device = null, ScalarType? dtype = null, Generator? sampling = null)
        : base(nameof(PartialFC))
    {
        if (embeddingSize < 1)
            throw new HeadConfigurationException(ErrorIds.InvalidEmbeddingSize, "embedding_size",
                $"embedding_size must be at least 1, got {embeddingSize}.");
        if (numClasses < 1)
            throw new HeadConfigurationException(ErrorIds.InvalidNumClasses, "num_classes",
                $"num_classes must be at least 1, got {numClasses}.");
        if (!(sampleRate >= 0 && sampleRate <= 1))
            throw new HeadConfigurationException(ErrorIds.InvalidSampleRate, "sample_rate",
                $"sample_rate must be in [0, 1], got {sampleRate}.");

        this.margin = margin;
        this.collectives = collectives;
        this.sampling = sampling;
        EmbeddingSize = embeddingSize;
        NumClasses = numClasses;
        SampleRate = sampleRate;
        Shard = ClassShard.For(numClasses, collectives.WorldSize, collectives.Rank);
        NumSample = (long)(sampleRate * Shard.Count);
        weight = new Parameter(normal(0, 0.01, [Shard.Count, embeddingSize], dtype: dtype, device: device));
        RegisterComponents();
    }

    /// <summary>E, the embedding length this head accepts.</summary>
    public long EmbeddingSize { get; }

    /// <summary>C, the number of classes over all shards.</summary>
    public long NumClasses { get; }

    /// <summary>The fraction of each shard's centres used per step.</summary>
    public double SampleRate { get; }

    /// <summary>The classes this rank owns.</summary>
    public ClassShard Shard { get; }

    /// <summary>Centres per step on this shard when sampling (positives can exceed it).</summary>
    public long NumSample { get; }

    /// <summary>
    /// The mean margin-softmax loss of the global batch. <paramref name="embeddings"/> is this rank's b×E batch,
    /// <paramref name="labels"/> its b class labels (int64 or int32, shape b or b×1). Every rank must pass the same b.
    /// </summary>
    /// <exception cref="EmbeddingSizeMismatchException">The embeddings are not E long.</exception>
    /// <exception cref="LabelOutOfRangeException">A label of any rank's batch is outside [0, C); every rank throws it.</exception>
    public override Tensor forward(Tensor embeddings, Tensor labels)
    {
        var output = ForwardSampled(embeddings, labels);
        output.SampledRows.Dispose();
        return output.Loss;
    }

    /// <summary>
    /// <see cref="forward"/>, also returning the rows of <see cref="weight"/> that took part: the positives and the
    /// sampled negatives of this shard, in ascending order (every row when sample_rate is 1). Only these rows
    /// receive gradient.
    /// </summary>
    /// <exception cref="EmbeddingSizeMismatchException">The embeddings are not E long.</exception>
    /// <exception cref="LabelOutOfRangeException">A label of any rank's batch is outside [0, C); every rank throws it.</exception>
    public SampledLoss ForwardSampled(Tensor embeddings, Tensor labels)
    {
        if (embeddings.dim() != 2 || embeddings.shape[1] != EmbeddingSize)
            throw new EmbeddingSizeMismatchException(EmbeddingSize, embeddings.dim() == 2 ? embeddings.shape[1] : -1);
        var localBatch = embeddings.shape[0];
        if (labels.numel() != localBatch)
            throw new ArgumentException($"Got {labels.numel()} labels for {localBatch} embeddings.", nameof(labels));

        using var scope = NewDisposeScope();
        var globalLabels = collectives.AllGather(labels.reshape(-1).to(ScalarType.Int64, weight.device));
        CheckLabels(globalLabels, localBatch);
        var globalEmbeddings = collectives.AllGather(embeddings.detach());

        using var start = Shard.Start.ToScalar();
        using var end = (Shard.Start + Shard.Count).ToScalar();
        var inShard = globalLabels.ge(start).logical_and_(globalLabels.lt(end));
        var shardLabels = where(inShard, globalLabels.sub(start), -1L);
        Tensor? index = null;
        if (SampleRate < 1) (index, shardLabels) = CenterSampler.Sample(shardLabels, Shard.Count, NumSample, sampling);

        var needsGradient = is_grad_enabled() && (embeddings.requires_grad || weight.requires_grad);
        var active = index is null ? weight : weight.index_select(0, index);
        using var count = Shard.Count.ToScalar();
        var rows = index ?? arange(Scalars.Zero, count, Scalars.One, ScalarType.Int64, weight.device);
        var (loss, embeddingGradient, centreGradient) =
            LossAndGradients(globalEmbeddings, active.detach(), shardLabels, needsGradient);
        if (embeddingGradient is null || centreGradient is null) return Output(scope, loss, rows);

        // Each rank needs only the gradient of its own embeddings, summed over the shards: a reduce-scatter.
        var ownGradient = collectives.ReduceScatter(embeddingGradient);

        // Attach the gradients computed above to the real inputs with a term that is exactly zero in value.
        // Dot products, because an element-wise product would briefly double the memory of the centres.
        var link = Dot(embeddings, ownGradient).add(Dot(active, centreGradient), Scalars.One);
        return Output(scope, loss.add(link.sub(link.detach()), Scalars.One), rows);
    }

    private static SampledLoss Output(DisposeScope scope, Tensor loss, Tensor rows)
    {
        var (outerLoss, outerRows) = scope.MoveToOuter(loss, rows);
        return new SampledLoss(outerLoss, outerRows);
    }

    // The loss of this shard's logits and, when asked, its gradients with respect to the gathered embeddings and
    // the active centres. Everything else the computation allocates is freed before returning.
    private (Tensor Loss, Tensor? EmbeddingGradient, Tensor? CentreGradient) LossAndGradients(
        Tensor globalEmbeddings, Tensor centres, Tensor shardLabels, bool withGradients)
    {
        using var scope = NewDisposeScope();
        var scores = new ClassScores(globalEmbeddings, centres, margin.NormalizesInputs);
        var scoreLeaf = scores.Scores.requires_grad_(withGradients);
        var logits = margin.call(scoreLeaf, shardLabels);
        var (loss, surrogate) = DistributedCrossEntropy.Compute(logits, shardLabels, collectives);
        if (!withGradients) return (scope.MoveToOuter(loss), null, null);
        var (embeddingGradient, centreGradient) = scores.Backward(autograd.grad([surrogate], [scoreLeaf])[0]);
        return scope.MoveToOuter(loss, embeddingGradient, centreGradient);
    }

    private static Tensor Dot(Tensor a, Tensor b) => a.reshape(-1).dot(b.reshape(-1));

    private void CheckLabels(Tensor globalLabels, long localBatch)
    {
        using var numClasses = NumClasses.ToScalar();
        var bad = globalLabels.lt(Scalars.Zero).logical_or_(globalLabels.ge(numClasses)).nonzero();
        if (bad.numel() == 0) return;
        var position = bad[0, 0].item<long>();
        throw new LabelOutOfRangeException(globalLabels[position].item<long>(), position % localBatch,
            (int)(position / localBatch), NumClasses);
    }

    /// <inheritdoc/>
    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            weight.Dispose();
        }
        base.Dispose(disposing);
    }
}

/// <summary>What <see cref="PartialFC.ForwardSampled"/> returns.</summary>
/// <param name="Loss">The mean loss of the global batch, the same on every rank.</param>
/// <param name="SampledRows">The int64 rows of this shard's centres that took part, in ascending order.</param>
public sealed record SampledLoss(Tensor Loss, Tensor SampledRows);

using TorchSharp;
using InsightFace.Engine.Runtime;
using InsightFace.Engine.Distributed;
using static TorchSharp.torch;

namespace InsightFace.Engine.Heads;

/// <summary>
/// Softmax cross-entropy over logits whose columns are split across ranks: the row maximum is all-reduced (MAX),
/// the sum of exponentials and the target logit are all-reduced (SUM). Every rank gets the same loss.
/// </summary>
internal static class DistributedCrossEntropy
{
    /// <summary>
    /// <paramref name="logits"/> is this rank's B×c block of the global batch's logits; <paramref name="labels"/>
    /// holds the target column within the block, or −1 where another rank owns the target. Returns the exact mean
    /// loss (no autograd) and a surrogate whose gradient with respect to the logits is (softmax − one-hot)/B, the
    /// gradient of that loss, with no communication needed in the backward pass.
    /// </summary>
    /// <remarks>
    /// The loss is m + log Σexp(z − m) − z_target per row. arcface_torch instead logs −log(max(p_target, 1e−30)),
    /// which differs only when p_target &lt; 1e−30; gradients are the same either way.
    /// </remarks>
    public static (Tensor Loss, Tensor Surrogate) Compute(Tensor logits, Tensor labels, ICollectives collectives)
    {
        var batch = logits.shape[0];
        var hasColumns = logits.shape[1] > 0;
        using var minusInfinity = double.NegativeInfinity.ToScalar();
        using var batchScalar = batch.ToScalar();
        var hasTarget = labels.ge(Scalars.Zero);
        var column = labels.clamp_min(Scalars.Zero).unsqueeze(1);

        // A shard may hold no sampled class at all; it then contributes −∞ to the max and 0 to the sums.
        var max = hasColumns
            ? logits.detach().amax(1)
            : full(batch, minusInfinity, dtype: logits.dtype, device: logits.device);
        collectives.AllReduce(max, ReduceOp.Max);

        var exp = logits.sub(max.unsqueeze(1)).exp();
        var sum = exp.detach().sum(1);
        collectives.AllReduce(sum, ReduceOp.Sum);

        var target = hasColumns
            ? where(hasTarget, logits.gather(1, column).squeeze(1), zeros_like(max))
            : zeros_like(max);
        var globalTarget = target.detach().clone();
        collectives.AllReduce(globalTarget, ReduceOp.Sum);

        var loss = max.add(sum.log(), Scalars.One).sub_(globalTarget).mean();
        var surrogate = exp.sum(1).div(sum).sum().sub(target.sum()).div(batchScalar);
        return (loss, surrogate);
    }
}

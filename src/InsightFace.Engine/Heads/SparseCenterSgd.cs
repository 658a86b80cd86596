using InsightFace.Engine.Runtime;
using TorchSharp;
using static TorchSharp.torch;

namespace InsightFace.Engine.Heads;

/// <summary>
/// SGD with momentum and weight decay for <see cref="PartialFC"/>'s centres that touches only the rows it is given:
/// those sampled since the previous step (<see cref="PartialFC.ForwardSampled"/> returns them).
/// </summary>
/// <remarks>
/// This is the memory-bank semantics of the 2021 Partial FC (arcface_torch v1, MXNet Partial FC, OneFlow's lazy
/// port): a centre that was not sampled keeps its value and its momentum, and the update reads and writes only
/// the sampled rows. (The gradient is still a dense tensor the size of the shard, as in PartialFC_V2.)
/// arcface_torch's current PartialFC_V2 instead runs a dense optimiser, where momentum and weight decay keep moving
/// unsampled centres. With sample_rate 1 every row is sampled and both follow PyTorch's SGD (dampening 0,
/// no Nesterov): d = g + wd·w, v = μ·v + d, w = w − lr·v.
/// </remarks>
public sealed class SparseCenterSgd : IDisposable
{
    private readonly PartialFC head;

    /// <summary>Creates the optimiser for <paramref name="head"/> with zero momentum buffers.</summary>
    public SparseCenterSgd(PartialFC head, double momentum, double weightDecay)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(momentum);
        ArgumentOutOfRangeException.ThrowIfNegative(weightDecay);
        this.head = head;
        Momentum = momentum;
        WeightDecay = weightDecay;
        MomentumBuffer = zeros_like(head.weight).DetachFromDisposeScope();
    }

    /// <summary>μ, the momentum factor.</summary>
    public double Momentum { get; }

    /// <summary>The L2 weight decay applied to sampled rows.</summary>
    public double WeightDecay { get; }

    /// <summary>The momentum of every centre, same shape as the head's weight; saved with checkpoints.</summary>
    public Tensor MomentumBuffer { get; }

    /// <summary>
    /// Updates <paramref name="rows"/> of the head's centres (int64, ascending, no repeats: every row sampled since
    /// the last step, over all micro-batches of an accumulation window) with learning rate <paramref name="learningRate"/>.
    /// </summary>
    public void Step(double learningRate, Tensor rows)
    {
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        if (rows.numel() == 0) return;
        var weight = head.weight;
        // With every row sampled, update in place rather than copying the whole table out and back.
        var everyRow = rows.numel() == weight.shape[0];
        var centres = everyRow ? weight : weight.index_select(0, rows);
        var velocity = everyRow ? MomentumBuffer : MomentumBuffer.index_select(0, rows);
        var gradient = weight.grad is null ? zeros_like(centres) : everyRow ? weight.grad : weight.grad.index_select(0, rows);

        // PyTorch's order of operations: d = g + wd·w; v = μ·v + d; w = w − lr·v.
        using var momentum = Momentum.ToScalar();
        using var decay = WeightDecay.ToScalar();
        using var descent = (-learningRate).ToScalar();
        velocity.mul_(momentum).add_(gradient.add(centres, alpha: decay), Scalars.One);
        centres.add_(velocity, alpha: descent);
        if (everyRow) return;
        MomentumBuffer.index_copy_(0, rows, velocity);
        weight.index_copy_(0, rows, centres);
    }

    /// <inheritdoc/>
    public void Dispose() => MomentumBuffer.Dispose();
}

using TorchSharp;
using static TorchSharp.torch;

namespace InsightFace.Engine.Distributed;

/// <summary>
/// A job of <see cref="WorldSize"/> processes as its launcher sees it before starting them: rank 0, with every other
/// rank a copy of it (the launcher starts them all alike). A training plan made with it is checked for the world size
/// the workers will have (the config, the dataset's shard, the run folder, the resume state and the ranks' agreement)
/// with no process started. Its operations return what a job of identical ranks would; <see cref="Abort"/> has no job
/// to end.
/// </summary>
/// <param name="worldSize">The number of processes the launcher will start.</param>
public sealed class UnstartedJob(int worldSize) : ICollectives
{
    /// <inheritdoc/>
    public int Rank => 0;

    /// <inheritdoc/>
    public int WorldSize { get; } = worldSize >= 1 ? worldSize : throw new ArgumentOutOfRangeException(nameof(worldSize), worldSize, "A job has at least one process.");

    /// <inheritdoc/>
    public int LocalRank => 0;

    /// <inheritdoc/>
    public Tensor AllGather(Tensor local) => cat(Enumerable.Repeat(local, WorldSize).ToArray(), 0);

    /// <inheritdoc/>
    public void AllReduce(Tensor tensor, ReduceOp op)
    {
        if (op == ReduceOp.Sum)
        {
            using var worldSize = WorldSize.ToScalar();
            using (no_grad()) tensor.mul_(worldSize);
        }
    }

    /// <inheritdoc/>
    public Tensor ReduceScatter(Tensor input)
    {
        var rows = input.shape[0] / WorldSize;
        using var block = input.narrow(0, 0, rows);
        using var worldSize = WorldSize.ToScalar();
        return block.mul(worldSize);
    }

    /// <inheritdoc/>
    public void Broadcast(Tensor tensor, int root)
    {
    }

    /// <inheritdoc/>
    public void Barrier()
    {
    }

    /// <inheritdoc/>
    public void Abort(int exitCode) =>
        throw new InvalidOperationException("The job has not been started: there is nothing to abort.");
}

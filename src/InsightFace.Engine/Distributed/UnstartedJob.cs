using static TorchSharp.torch;

namespace InsightFace.Engine.Distributed;

/// <summary>
/// A job of <see cref="WorldSize"/> processes as its launcher sees it before starting them: rank 0's view, so that a
/// training plan (its config, dataset shard, run folder and resume state) is checked for the world size the workers
/// will have, with no process started. It joins no job, so every collective operation throws.
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
    public Tensor AllGather(Tensor local) => throw NotStarted();

    /// <inheritdoc/>
    public void AllReduce(Tensor tensor, ReduceOp op) => throw NotStarted();

    /// <inheritdoc/>
    public Tensor ReduceScatter(Tensor input) => throw NotStarted();

    /// <inheritdoc/>
    public void Broadcast(Tensor tensor, int root) => throw NotStarted();

    /// <inheritdoc/>
    public void Barrier() => throw NotStarted();

    /// <inheritdoc/>
    public void Abort(int exitCode) => throw NotStarted();

    private static InvalidOperationException NotStarted() =>
        new("The job has not been started: its launcher only checks plans with it.");
}

using static TorchSharp.torch;

namespace InsightFace.Engine.Distributed;

/// <summary>The collectives of a job with one process: every operation is the identity.</summary>
public sealed class SingleProcessCollectives : ICollectives
{
    /// <summary>The one instance there needs to be.</summary>
    public static SingleProcessCollectives Instance { get; } = new();

    private SingleProcessCollectives()
    {
    }

    /// <inheritdoc/>
    public int Rank => 0;

    /// <inheritdoc/>
    public int WorldSize => 1;

    /// <inheritdoc/>
    public int LocalRank => 0;

    /// <inheritdoc/>
    public Tensor AllGather(Tensor local) => local.clone();

    /// <inheritdoc/>
    public void AllReduce(Tensor tensor, ReduceOp op)
    {
    }

    /// <inheritdoc/>
    public Tensor ReduceScatter(Tensor input) => input.clone();

    /// <inheritdoc/>
    public void Broadcast(Tensor tensor, int root)
    {
        if (root != 0) throw new ArgumentOutOfRangeException(nameof(root), root, "A one-process job has only rank 0.");
    }

    /// <inheritdoc/>
    public void Barrier()
    {
    }

    /// <inheritdoc/>
    public void Abort(int exitCode) => Environment.Exit(exitCode);
}

using InsightFace.Engine.Distributed;
using TorchSharp;
using static TorchSharp.torch;

namespace InsightFace.Engine.Tests.Support;

/// <summary>
/// A test double for a W-process job: W threads of one process, one per rank, meeting at a barrier in every
/// collective. A rank that stops calling collectives makes the others fail after a timeout instead of hanging.
/// </summary>
internal sealed class ThreadedCollectives : ICollectives
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    private readonly Group group;

    private ThreadedCollectives(Group group, int rank)
    {
        this.group = group;
        Rank = rank;
    }

    public int Rank { get; }

    public int WorldSize => group.Slots.Length;

    public int LocalRank => Rank;

    /// <summary>Runs <paramref name="body"/> once per rank, each on its own thread, and returns the results by rank.</summary>
    public static T[] Run<T>(int worldSize, Func<ICollectives, T> body)
    {
        var group = new Group(worldSize);
        var results = new T[worldSize];
        var errors = new Exception?[worldSize];
        var threads = Enumerable.Range(0, worldSize).Select(rank => new Thread(() =>
        {
            try { results[rank] = body(new ThreadedCollectives(group, rank)); }
            catch (Exception e) { errors[rank] = e; }
        })).ToList();
        threads.ForEach(t => t.Start());
        threads.ForEach(t => t.Join());
        group.Dispose();
        if (errors.Any(e => e is not null)) throw new AggregateException(errors.Where(e => e is not null)!);
        return results;
    }

    public Tensor AllGather(Tensor local)
    {
        var all = Exchange(local);
        var gathered = cat(all, 0).to(local.device);
        Meet();
        return gathered;
    }

    public void AllReduce(Tensor tensor, ReduceOp op)
    {
        var all = Exchange(tensor);
        using var scope = NewDisposeScope();
        var reduced = all[0].clone();
        foreach (var other in all.Skip(1))
            reduced = op == ReduceOp.Sum ? reduced.add_(other) : reduced.maximum(other);
        Meet();
        tensor.copy_(reduced);
    }

    public Tensor ReduceScatter(Tensor input)
    {
        var all = Exchange(input);
        using var scope = NewDisposeScope();
        var block = input.shape[0] / WorldSize;
        var sum = all[0].narrow(0, Rank * block, block).clone();
        foreach (var other in all.Skip(1)) sum.add_(other.narrow(0, Rank * block, block));
        Meet();
        return sum.to(input.device).MoveToOuterDisposeScope();
    }

    public void Barrier() => Meet();

    public void Abort(int exitCode) => throw new InvalidOperationException($"Rank {Rank} aborted the job with exit code {exitCode}.");

    public void Broadcast(Tensor tensor, int root)
    {
        var all = Exchange(tensor);
        using (no_grad()) tensor.copy_(all[root]);
        Meet();
    }

    // Publishes a private copy of this rank's tensor and returns everyone's once all have published.
    private Tensor[] Exchange(Tensor local)
    {
        group.Slots[Rank]?.Dispose();
        group.Slots[Rank] = local.detach().cpu().clone().DetachFromDisposeScope();
        Meet();
        return group.Slots.Select(s => s!).ToArray();
    }

    private void Meet()
    {
        if (!group.Barrier.SignalAndWait(Patience))
            throw new TimeoutException($"Rank {Rank} waited {Patience} for the other ranks in a collective.");
    }

    private sealed class Group(int worldSize) : IDisposable
    {
        public Barrier Barrier { get; } = new(worldSize);
        public Tensor?[] Slots { get; } = new Tensor?[worldSize];

        public void Dispose()
        {
            Barrier.Dispose();
            foreach (var slot in Slots) slot?.Dispose();
        }
    }
}

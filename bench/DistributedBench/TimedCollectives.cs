using System.Diagnostics;
using InsightFace.Engine.Distributed;
using TorchSharp;
using static TorchSharp.torch;

/// <summary>What one collective call was: enough to make the same call again with fresh tensors.</summary>
sealed record CollectiveCall(string Kind, long[] Shape, ScalarType DType, ReduceOp Op = ReduceOp.Sum, int Root = 0);

/// <summary>
/// The job's collectives with a clock around every call: the time spent inside them (sending, and waiting for the
/// other ranks to arrive) and the list of calls, in order, so that a step's calls can be replayed on their own.
/// </summary>
sealed class TimedCollectives(ICollectives inner) : ICollectives
{
    private readonly Stopwatch _inside = new();
    private readonly List<CollectiveCall> _calls = new();

    /// <summary>The time spent inside collectives so far.</summary>
    public TimeSpan Inside => _inside.Elapsed;

    /// <summary>Every call so far, in order; the same list on every rank.</summary>
    public IReadOnlyList<CollectiveCall> Calls => _calls;

    public int Rank => inner.Rank;
    public int WorldSize => inner.WorldSize;
    public int LocalRank => inner.LocalRank;

    public Tensor AllGather(Tensor local) => Timed(new("all-gather", local.shape, local.dtype), () => inner.AllGather(local));

    public void AllReduce(Tensor tensor, ReduceOp op) =>
        Timed(new("all-reduce", tensor.shape, tensor.dtype, op), () => { inner.AllReduce(tensor, op); return 0; });

    public Tensor ReduceScatter(Tensor input) => Timed(new("reduce-scatter", input.shape, input.dtype), () => inner.ReduceScatter(input));

    public void Broadcast(Tensor tensor, int root) =>
        Timed(new("broadcast", tensor.shape, tensor.dtype, Root: root), () => { inner.Broadcast(tensor, root); return 0; });

    public void Barrier() => Timed(new("barrier", [], ScalarType.Float32), () => { inner.Barrier(); return 0; });

    public void Abort(int exitCode) => inner.Abort(exitCode);

    private T Timed<T>(CollectiveCall call, Func<T> run)
    {
        _calls.Add(call);
        _inside.Start();
        try
        {
            return run();
        }
        finally
        {
            _inside.Stop();
        }
    }

    /// <summary>
    /// Makes <paramref name="calls"/> again on <paramref name="collectives"/> (every rank the same calls), with
    /// tensors of the recorded shapes made beforehand, and returns the seconds rank 0 spent in them. A barrier first
    /// lines the ranks up, so that this is the time of the transfers alone, without waiting for a slower rank.
    /// </summary>
    public static double Replay(ICollectives collectives, IReadOnlyList<CollectiveCall> calls)
    {
        using var scope = NewDisposeScope();
        var inputs = calls.Select(c => zeros(c.Shape, c.DType)).ToArray();
        collectives.Barrier();
        var clock = Stopwatch.StartNew();
        for (var i = 0; i < calls.Count; i++)
        {
            var call = calls[i];
            switch (call.Kind)
            {
                case "all-gather": collectives.AllGather(inputs[i]); break;
                case "all-reduce": collectives.AllReduce(inputs[i], call.Op); break;
                case "reduce-scatter": collectives.ReduceScatter(inputs[i]); break;
                case "broadcast": collectives.Broadcast(inputs[i], call.Root); break;
                case "barrier": collectives.Barrier(); break;
                default: throw new InvalidOperationException($"Unknown collective {call.Kind}.");
            }
        }
        var seconds = clock.Elapsed.TotalSeconds;
        collectives.Barrier();
        return seconds;
    }
}

using System.Runtime.InteropServices;
using InsightFace.Engine;
using InsightFace.Engine.Distributed;
using TorchSharp;
using static TorchSharp.torch;

namespace InsightFace.Distributed.Worker;

/// <summary>
/// Every collective against a hand computation, with data that depends on the rank: rank r of W contributes values
/// built from r, and the expected result is the closed form over r = 0 … W − 1. Every value is exact in its type,
/// so results must match exactly. Checks of bad input run where the collectives are MPI's.
/// </summary>
internal static class CollectiveChecks
{
    private const long Big = 3_000_000_000; // beyond int32: int64 must not be squeezed through 32 bits

    public static void Run(ICollectives collectives, string[] arguments)
    {
        using var scope = NewDisposeScope();
        var c = collectives;
        var (r, w) = (c.Rank, c.WorldSize);
        var sum = w * (w + 1) / 2.0;      // Σ (r + 1)
        var ranks = w * (w - 1) / 2.0;    // Σ r

        // All-reduce, sum
        Expect("all-reduce sum float64", Reduced(c, ReduceOp.Sum, tensor(new[] { r + 1.0, 10.0 * (r + 1), -r, 0.25 })),
            ScalarType.Float64, [4], sum, 10 * sum, -ranks, 0.25 * w);
        Expect("all-reduce sum float32 [2,3]", Reduced(c, ReduceOp.Sum, arange(6, ScalarType.Float32).reshape(2, 3).add(100 * r)),
            ScalarType.Float32, [2, 3], Enumerable.Range(0, 6).Select(k => w * k + 100 * ranks).ToArray());
        Expect("all-reduce sum int64", Reduced(c, ReduceOp.Sum, tensor(new[] { r * Big, -r, 1L })),
            ScalarType.Int64, [3], Big * ranks, -ranks, w);
        Expect("all-reduce sum int32", Reduced(c, ReduceOp.Sum, tensor(new[] { r, 1000 * r + 1 })),
            ScalarType.Int32, [2], ranks, 1000 * ranks + w);
        Expect("all-reduce sum uint8", Reduced(c, ReduceOp.Sum, tensor(new byte[] { (byte)r, 2 })),
            ScalarType.Byte, [2], ranks, 2 * w);
        Expect("all-reduce sum float16", Reduced(c, ReduceOp.Sum, tensor(new[] { r + 1f, 0.5f * (r + 1), -0.25f }, ScalarType.Float16)),
            ScalarType.Float16, [3], sum, 0.5 * sum, -0.25 * w);
        Expect("all-reduce sum float16 that requires grad", Reduced(c, ReduceOp.Sum, tensor(new[] { r + 1f }, ScalarType.Float16).requires_grad_()),
            ScalarType.Float16, [1], sum);

        // All-reduce, max
        Expect("all-reduce max float32", Reduced(c, ReduceOp.Max, tensor(new[] { r, -r, r == w - 1 ? 7.5f : -1f, (r + 1) % w })),
            ScalarType.Float32, [4], w - 1, 0, 7.5, w - 1);
        Expect("all-reduce max float64", Reduced(c, ReduceOp.Max, tensor(new[] { -(r + 1.0) })), ScalarType.Float64, [1], -1);
        Expect("all-reduce max int64", Reduced(c, ReduceOp.Max, tensor(new[] { r * Big, -r })), ScalarType.Int64, [2], (w - 1) * Big, 0);
        Expect("all-reduce max int32", Reduced(c, ReduceOp.Max, tensor(new[] { r, -r })), ScalarType.Int32, [2], w - 1, 0);
        Expect("all-reduce max uint8", Reduced(c, ReduceOp.Max, tensor(new byte[] { (byte)(10 * r), (byte)(255 - r) })),
            ScalarType.Byte, [2], 10 * (w - 1), 255);
        Expect("all-reduce max float16", Reduced(c, ReduceOp.Max, tensor(new[] { r + 0.5f, -r }, ScalarType.Float16)),
            ScalarType.Float16, [2], w - 0.5, 0);

        // All-reduce of rows 1-2 of a 4-row tensor: a contiguous view that starts 3 elements into its storage.
        var whole = zeros(4, 3, ScalarType.Float64);
        var rows = whole.narrow(0, 1, 2);
        rows.fill_(r + 1);
        c.AllReduce(rows, ReduceOp.Sum);
        Expect("all-reduce of a view with a storage offset", whole, ScalarType.Float64, [4, 3],
            [.. Enumerable.Repeat(0.0, 3), .. Enumerable.Repeat(sum, 6), .. Enumerable.Repeat(0.0, 3)]);

        // All-gather: rank order along dimension 0
        Expect("all-gather float32 [2,2]", c.AllGather(tensor(new[] { r, 2f * r, r + 0.5f, -r }).reshape(2, 2)),
            ScalarType.Float32, [2 * w, 2], PerRank(w, q => [q, 2 * q, q + 0.5, -q]));
        Expect("all-gather int64 labels", c.AllGather(tensor(new[] { r * 1000L, r * 1000L + 1, r * Big + 2 })),
            ScalarType.Int64, [3 * w], PerRank(w, q => [q * 1000, q * 1000 + 1, q * Big + 2]));
        Expect("all-gather float16", c.AllGather(tensor(new[] { r + 0.5f, -r }, ScalarType.Float16).reshape(1, 2)),
            ScalarType.Float16, [w, 2], PerRank(w, q => [q + 0.5, -q]));
        Expect("all-gather uint8", c.AllGather(tensor(new byte[] { (byte)r, (byte)(200 + r) })),
            ScalarType.Byte, [2 * w], PerRank(w, q => [q, 200 + q]));
        Expect("all-gather int32", c.AllGather(tensor(new[] { -r })), ScalarType.Int32, [w], PerRank(w, q => [-q]));
        Expect("all-gather of an empty shard", c.AllGather(zeros(0, 4, ScalarType.Float64)), ScalarType.Float64, [0, 4]);

        // Reduce-scatter: rank r gets rows [r·n/W, (r+1)·n/W) of the sum
        Expect("reduce-scatter float64 [2W,3]", c.ReduceScatter(arange(6 * w, ScalarType.Float64).reshape(2 * w, 3).mul(r + 1)),
            ScalarType.Float64, [2, 3], Enumerable.Range(6 * r, 6).Select(k => sum * k).ToArray());
        Expect("reduce-scatter float32 [W]", c.ReduceScatter(arange(w, ScalarType.Float32).add(r * w)),
            ScalarType.Float32, [1], w * ranks + w * r);
        Expect("reduce-scatter float16 [W,2]", c.ReduceScatter(stack(Enumerable.Range(0, w).Select(i => tensor(new[] { r + 1f, i })).ToArray()).to(ScalarType.Float16)),
            ScalarType.Float16, [1, 2], sum, w * r);
        Expect("reduce-scatter int64 [W]", c.ReduceScatter(arange(w, ScalarType.Int64).add(r * Big)),
            ScalarType.Int64, [1], Big * ranks + w * r);

        // Broadcast from the last rank, which is not rank 0 whenever W > 1
        var root = w - 1;
        Expect("broadcast float64", Broadcast(c, tensor(new[] { r, 2.0 * r + 0.5 }), root), ScalarType.Float64, [2], root, 2 * root + 0.5);
        Expect("broadcast int64", Broadcast(c, tensor(new[] { r * Big }), root), ScalarType.Int64, [1], root * Big);
        Expect("broadcast int32", Broadcast(c, tensor(new[] { r, -r }), root), ScalarType.Int32, [2], root, -root);
        Expect("broadcast float16", Broadcast(c, tensor(new[] { r + 0.5f }, ScalarType.Float16), root), ScalarType.Float16, [1], root + 0.5);
        Expect("broadcast uint8", Broadcast(c, tensor(new byte[] { (byte)r }), root), ScalarType.Byte, [1], root);
        Throws<ArgumentOutOfRangeException>("broadcast from a rank that does not exist", () => c.Broadcast(zeros(1), w));

        CheckBarrier(c);
        if (c is MpiCollectives mpi) CheckMpiOnly(mpi);
    }

    // Rank r enters the barrier r·100 ms late, so rank 0 leaving early would show: nobody may leave before the last arrives.
    private static void CheckBarrier(ICollectives c)
    {
        Thread.Sleep(100 * c.Rank);
        var entered = NowMilliseconds();
        c.Barrier();
        var left = NowMilliseconds();
        var lastEntered = c.AllGather(tensor(new[] { entered })).max().ToDouble();
        if (left < lastEntered)
            throw new InvalidOperationException($"barrier: left at {left} ms, before the last rank entered at {lastEntered} ms");
    }

    private static void CheckMpiOnly(MpiCollectives c)
    {
        // Refused before any message is sent, identically on every rank, so no rank is left waiting.
        Throws<ArgumentException>("all-reduce of int16", () => c.AllReduce(zeros(2, ScalarType.Int16), ReduceOp.Sum));
        Throws<ArgumentException>("all-reduce of bool", () => c.AllReduce(zeros(2, ScalarType.Bool), ReduceOp.Sum));
        Throws<ArgumentException>("all-reduce of a transposed (non-contiguous) tensor", () => c.AllReduce(zeros(3, 2).t(), ReduceOp.Sum));
        Throws<ArgumentException>("all-reduce of a tensor off the CPU", () => c.AllReduce(zeros(2, device: new Device(DeviceType.META)), ReduceOp.Sum));
        Throws<ArgumentException>("all-gather of a scalar", () => c.AllGather(tensor(1.0)));
        Throws<ArgumentException>("broadcast of a non-contiguous tensor", () => c.Broadcast(zeros(3, 2).t(), 0));
        if (c.WorldSize > 1)
            Throws<ArgumentException>("reduce-scatter of rows that do not divide by W", () => c.ReduceScatter(zeros(c.WorldSize + 1)));

        // MPI's own checks come back as exceptions with its text: a broadcast from root W, past the binding's range check.
        var api = new MpiApi(NativeLibrary.Load(c.Library));
        using var one = zeros(1);
        var error = Throws<DistributedException>("MPI_Bcast from root W", () => api.Bcast(MpiBuffer.Of(one, api.Handles).Address, 1, api.Handles.Float, c.WorldSize));
        if (error.ErrorId != ErrorIds.MpiCallFailed || !error.Message.Contains("MPI_Bcast") || !error.Message.Contains("root", StringComparison.OrdinalIgnoreCase))
            throw new InvalidOperationException($"MPI's error came back as [{error.ErrorId}] '{error.Message}'");

        Throws<InvalidOperationException>("a barrier from another thread", () =>
        {
            Exception? thrown = null;
            var other = new Thread(() =>
            {
                try { c.Barrier(); }
                catch (Exception e) { thrown = e; }
            });
            other.Start();
            other.Join();
            if (thrown is not null) throw thrown;
        });

        var fromHosts = c.LocalRankFromHostNames();
        if (fromHosts != c.LocalRank)
            throw new InvalidOperationException($"local rank: the launcher says {c.LocalRank}, the host names say {fromHosts}");
    }

    private static Tensor Reduced(ICollectives c, ReduceOp op, Tensor t)
    {
        c.AllReduce(t, op);
        return t;
    }

    private static Tensor Broadcast(ICollectives c, Tensor t, int root)
    {
        c.Broadcast(t, root);
        return t;
    }

    private static double[] PerRank(int w, Func<double, double[]> values) =>
        Enumerable.Range(0, w).SelectMany(q => values(q)).ToArray();

    private static double NowMilliseconds() => (DateTime.UtcNow - DateTime.UnixEpoch).TotalMilliseconds;

    private static void Expect(string what, Tensor actual, ScalarType dtype, long[] shape, params double[] expected)
    {
        if (actual.dtype != dtype) throw new InvalidOperationException($"{what}: dtype {actual.dtype}, expected {dtype}");
        if (!actual.shape.SequenceEqual(shape))
            throw new InvalidOperationException($"{what}: shape [{string.Join(", ", actual.shape)}], expected [{string.Join(", ", shape)}]");
        var values = actual.detach().to(ScalarType.Float64).flatten().data<double>().ToArray();
        if (!values.SequenceEqual(expected))
            throw new InvalidOperationException($"{what}: got [{string.Join(", ", values)}], expected [{string.Join(", ", expected)}]");
    }

    private static T Throws<T>(string what, Action action) where T : Exception
    {
        try
        {
            action();
        }
        catch (T e)
        {
            return e;
        }
        catch (Exception e)
        {
            throw new InvalidOperationException($"{what}: expected {typeof(T).Name}, got {e.GetType().Name}: {e.Message}", e);
        }
        throw new InvalidOperationException($"{what}: expected {typeof(T).Name}, nothing was thrown");
    }
}

using InsightFace.Engine.Distributed;
using static TorchSharp.torch;

namespace InsightFace.Engine.Tests.Distributed;

// What a job of three identical ranks computes, worked out by hand.
public class UnstartedJobTests
{
    private readonly UnstartedJob _job = new(3);

    [Fact]
    public void Is_rank_0_of_its_world() => Assert.Equal((0, 3, 0), (_job.Rank, _job.WorldSize, _job.LocalRank));

    [Fact]
    public void Gathers_three_copies_in_rank_order()
    {
        using var local = tensor(new long[,] { { 1, 2 } });
        using var all = _job.AllGather(local);
        Assert.Equal(new long[] { 1, 2, 1, 2, 1, 2 }, all.data<long>().ToArray());
        Assert.Equal(new long[] { 3, 2 }, all.shape);
    }

    [Fact]
    public void Sums_three_copies_and_keeps_the_maximum()
    {
        using var sum = tensor(new[] { 1.5, -2.0 });
        _job.AllReduce(sum, ReduceOp.Sum);
        Assert.Equal(new[] { 4.5, -6.0 }, sum.data<double>().ToArray());
        using var max = tensor(new[] { 1.5, -2.0 });
        _job.AllReduce(max, ReduceOp.Max);
        Assert.Equal(new[] { 1.5, -2.0 }, max.data<double>().ToArray());
    }

    [Fact]
    public void Reduce_scatter_returns_rank_0_s_block_of_the_sum()
    {
        using var input = tensor(new[] { 1.0, 2.0, 3.0, 4.0, 5.0, 6.0 });
        using var block = _job.ReduceScatter(input);
        Assert.Equal(new[] { 3.0, 6.0 }, block.data<double>().ToArray());
    }

    [Fact]
    public void Broadcast_and_barrier_change_nothing_and_abort_has_no_job_to_end()
    {
        using var values = tensor(new[] { 7f });
        _job.Broadcast(values, root: 2);
        _job.Barrier();
        Assert.Equal(7f, values.item<float>());
        Assert.Throws<InvalidOperationException>(() => _job.Abort(1));
        Assert.Throws<ArgumentOutOfRangeException>(() => new UnstartedJob(0));
    }
}

using InsightFace.Engine.Tests.Support;
using InsightFace.Engine.Distributed;
using InsightFace.Engine.Heads;
using static TorchSharp.torch;

namespace InsightFace.Engine.Tests.Heads;

public class CollectivesTests
{
    [Fact]
    public void One_process_collectives_are_identities()
    {
        var one = SingleProcessCollectives.Instance;
        Assert.Equal((0, 1), (one.Rank, one.WorldSize));
        using var t = tensor(new[] { 1.0, -2.0 });
        using var gathered = one.AllGather(t);
        Assert.True(gathered.equal(t).all().item<bool>());
        gathered[0] = tensor(5.0);
        Assert.Equal(1.0, t[0].item<double>()); // a new tensor, not a view
        one.AllReduce(t, ReduceOp.Max);
        one.Broadcast(t, 0);
        Assert.True(t.equal(tensor(new[] { 1.0, -2.0 })).all().item<bool>());
        Assert.Throws<ArgumentOutOfRangeException>(() => one.Broadcast(t, 1));
    }

    [Fact]
    public void The_threaded_double_gathers_reduces_and_broadcasts_across_ranks()
    {
        var results = ThreadedCollectives.Run(3, c =>
        {
            var mine = tensor(new[] { c.Rank * 1.0, -c.Rank * 1.0 });
            var gathered = c.AllGather(mine.unsqueeze(0));
            var sum = mine.clone();
            c.AllReduce(sum, ReduceOp.Sum);
            var max = mine.clone();
            c.AllReduce(max, ReduceOp.Max);
            var root = mine.clone();
            c.Broadcast(root, 2);
            return (gathered, sum, max, root);
        });
        foreach (var (gathered, sum, max, root) in results)
        {
            Assert.True(gathered.equal(tensor(new[,] { { 0.0, -0.0 }, { 1.0, -1.0 }, { 2.0, -2.0 } })).all().item<bool>());
            Assert.True(sum.equal(tensor(new[] { 3.0, -3.0 })).all().item<bool>());
            Assert.True(max.equal(tensor(new[] { 2.0, 0.0 })).all().item<bool>());
            Assert.True(root.equal(tensor(new[] { 2.0, -2.0 })).all().item<bool>());
        }
    }
}

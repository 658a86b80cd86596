using InsightFace.Engine.Distributed;
using InsightFace.Engine.Distributed.Nccl;
using InsightFace.Engine.Tests.Support;

namespace InsightFace.Engine.Tests.Distributed.Nccl;

public class BroadcastUniqueIdExchangeTests
{
    [Fact]
    public void Every_rank_gets_the_bytes_rank_0_made_and_only_rank_0_makes_them()
    {
        var id = Enumerable.Range(0, 128).Select(i => (byte)(i * 7 + 3)).ToArray();
        var made = 0;

        var results = ThreadedCollectives.Run(4, c =>
            new BroadcastUniqueIdExchange(c).Share(c.Rank, c.WorldSize, () => { Interlocked.Increment(ref made); return id; }));

        Assert.All(results, r => Assert.Equal(id, r));
        Assert.Equal(1, made);
    }

    [Fact]
    public void A_rank_other_than_the_bootstraps_is_refused()
    {
        var exchange = new BroadcastUniqueIdExchange(SingleProcessCollectives.Instance);

        Assert.Throws<ArgumentException>(() => exchange.Share(1, 2, () => new byte[128]));
    }
}

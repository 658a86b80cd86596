using InsightFace.Engine.Heads;

namespace InsightFace.Engine.Tests.Heads;

public class ClassShardTests
{
    [Fact]
    public void The_first_C_mod_W_shards_hold_one_more_class()
    {
        var shards = Enumerable.Range(0, 4).Select(r => ClassShard.For(10, 4, r)).ToArray();
        Assert.Equal([new(0, 3), new(3, 3), new(6, 2), new(8, 2)], shards);
    }

    [Theory]
    [InlineData(93431, 8)]
    [InlineData(11, 3)]
    [InlineData(3, 4)]
    [InlineData(16, 4)]
    public void Shards_tile_the_classes_in_order(long numClasses, int worldSize)
    {
        long next = 0;
        for (var rank = 0; rank < worldSize; rank++)
        {
            var shard = ClassShard.For(numClasses, worldSize, rank);
            Assert.Equal(next, shard.Start);
            Assert.InRange(shard.Count, numClasses / worldSize, numClasses / worldSize + 1);
            next += shard.Count;
        }
        Assert.Equal(numClasses, next);
    }

    [Fact]
    public void A_rank_outside_the_world_is_rejected() =>
        Assert.Throws<ArgumentOutOfRangeException>(() => ClassShard.For(10, 2, 2));
}

using InsightFace.Engine.Distributed;
using InsightFace.Engine.Tests.Support;
using static TorchSharp.torch;

namespace InsightFace.Engine.Tests.Distributed;

public class GradientBucketsTests
{
    [Fact]
    public void Buckets_keep_order_respect_the_byte_limit_and_split_by_dtype()
    {
        using var scope = NewDisposeScope();
        Tensor[] gradients = [zeros(10), zeros(10), zeros(30), zeros(5, dtype: float64), zeros(2), zeros(2)];
        var buckets = GradientBuckets.Buckets(gradients, bucketBytes: 80).ToList();

        // 40 + 40 bytes fill the first; 120 bytes get a bucket of their own; float64 starts a new one; then 8 + 8.
        Assert.Equal([2, 1, 1, 2], buckets.Select(b => b.Count));
        Assert.Same(gradients[2], buckets[1][0]);
        Assert.Same(gradients[5], buckets[3][1]);
    }

    [Fact]
    public void Gradients_are_summed_over_three_ranks_bucket_by_bucket()
    {
        // Rank r's gradient k is filled with (r + 1) · (k + 1); the sum over 3 ranks is 6 · (k + 1).
        var results = ThreadedCollectives.Run(3, collectives =>
        {
            Tensor[] gradients = [full(new long[] { 2, 3 }, 1.0), full(4, 2.0).t(), full(new long[] { 3, 2 }, 3.0).t(), full(7, 4.0, dtype: float64)];
            for (var k = 0; k < gradients.Length; k++) gradients[k].mul_(collectives.Rank + 1);
            GradientBuckets.SumOverRanks(gradients, collectives, bucketBytes: 40);
            return gradients.Select(g => g.to(float64).data<double>().ToArray()).ToArray();
        });

        foreach (var rank in results)
            for (var k = 0; k < rank.Length; k++)
                Assert.All(rank[k], v => Assert.Equal(6.0 * (k + 1), v));
    }
}

using static TorchSharp.torch;

namespace InsightFace.Engine.Distributed;

/// <summary>
/// Sums gradients over the ranks in buckets of about <see cref="BucketBytes"/>: each bucket's gradients are
/// flattened into one tensor, all-reduced in one call, and copied back, as PyTorch's DistributedDataParallel does
/// (its default bucket is 25 MB). One call per bucket instead of one per parameter saves the per-call latency of
/// the hundreds of small BatchNorm and PReLU tensors a backbone has.
/// </summary>
public static class GradientBuckets
{
    /// <summary>The bucket size DistributedDataParallel uses by default.</summary>
    public const long BucketBytes = 25L << 20;

    /// <summary>
    /// Replaces every gradient in <paramref name="gradients"/> by its sum over the ranks of <paramref name="collectives"/>.
    /// Gradients are grouped by dtype and device, in order, into buckets of at most <paramref name="bucketBytes"/>
    /// (a larger gradient gets a bucket of its own). Every rank must pass gradients of the same shapes in the same order.
    /// </summary>
    public static void SumOverRanks(IReadOnlyList<Tensor> gradients, ICollectives collectives, long bucketBytes = BucketBytes)
    {
        if (collectives.WorldSize == 1) return;
        foreach (var bucket in Buckets(gradients, bucketBytes))
        {
            using var scope = NewDisposeScope();
            var flat = bucket.Count == 1 && bucket[0].is_contiguous()
                ? bucket[0]
                : cat(bucket.Select(g => g.reshape(-1)).ToArray(), 0);
            collectives.AllReduce(flat, ReduceOp.Sum);
            if (ReferenceEquals(flat, bucket[0])) continue;
            long offset = 0;
            foreach (var gradient in bucket)
            {
                gradient.copy_(flat.narrow(0, offset, gradient.numel()).view_as(gradient));
                offset += gradient.numel();
            }
        }
    }

    /// <summary>The buckets <see cref="SumOverRanks"/> reduces, in order.</summary>
    public static IEnumerable<List<Tensor>> Buckets(IReadOnlyList<Tensor> gradients, long bucketBytes = BucketBytes)
    {
        var bucket = new List<Tensor>();
        long bytes = 0;
        foreach (var gradient in gradients)
        {
            var size = gradient.numel() * gradient.ElementSize;
            var fits = bucket.Count == 0 ||
                       (bucket[0].dtype == gradient.dtype && bucket[0].device_type == gradient.device_type && bucket[0].device_index == gradient.device_index && bytes + size <= bucketBytes);
            if (!fits)
            {
                yield return bucket;
                bucket = new List<Tensor>();
                bytes = 0;
            }
            bucket.Add(gradient);
            bytes += size;
        }
        if (bucket.Count > 0) yield return bucket;
    }
}

using TorchSharp;
using InsightFace.Engine.Runtime;
using static TorchSharp.torch;

namespace InsightFace.Engine.Heads;

/// <summary>
/// Partial FC's choice of class centres for one step on one shard: every positive (a class of the global batch
/// that this shard owns) and random negatives up to the sample size, as arcface_torch's <c>PartialFC_V2.sample</c>.
/// </summary>
internal static class CenterSampler
{
    /// <summary>
    /// Returns the kept rows of the shard in ascending order, and <paramref name="localLabels"/> (−1 for other
    /// shards' classes) remapped to positions among those rows. When the positives outnumber
    /// <paramref name="numSample"/>, only the positives are kept.
    /// </summary>
    public static (Tensor Index, Tensor Labels) Sample(Tensor localLabels, long numLocal, long numSample, Generator? generator)
    {
        var isPositive = localLabels.ge(Scalars.Zero);
        var positives = localLabels.masked_select(isPositive).unique(sorted: true).output;
        Tensor index;
        if (numSample >= positives.numel())
        {
            // Random scores for every centre, 2.0 for positives so that they always make the top k.
            var scores = rand(numLocal, generator: generator, dtype: ScalarType.Float32, device: localLabels.device);
            using var two = 2.0.ToScalar();
            scores.index_fill_(0, positives, two);
            index = scores.topk(checked((int)numSample)).indexes.sort().Values;
        }
        else
        {
            index = positives;
        }
        var remapped = where(isPositive, searchsorted(index, localLabels.clamp_min(Scalars.Zero)), localLabels);
        return (index, remapped);
    }
}

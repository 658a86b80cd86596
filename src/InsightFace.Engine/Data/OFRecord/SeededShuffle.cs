namespace InsightFace.Engine.Data.OFRecord;

/// <summary>A Fisher–Yates permutation driven by <see cref="SplitMix64"/>: the same seed gives the same order everywhere.</summary>
internal static class SeededShuffle
{
    /// <summary>A permutation of 0 .. <paramref name="count"/> − 1 determined by <paramref name="seed"/>.</summary>
    public static int[] Permutation(int count, long seed) => Permutation(count, new SplitMix64(seed));

    /// <summary>A permutation of 0 .. <paramref name="count"/> − 1 drawn from <paramref name="random"/>.</summary>
    public static int[] Permutation(int count, SplitMix64 random)
    {
        var order = new int[count];
        for (var i = 0; i < count; i++) order[i] = i;
        for (var i = count - 1; i > 0; i--)
        {
            var j = random.NextInt(i + 1);
            (order[i], order[j]) = (order[j], order[i]);
        }
        return order;
    }
}

namespace InsightFace.Engine.Data.OFRecord;

/// <summary>
/// A Fisher–Yates permutation driven by SplitMix64, so the same seed gives the same order on every machine and
/// .NET version (System.Random's seeded sequence is not a documented contract).
/// </summary>
internal static class SeededShuffle
{
    /// <summary>A permutation of 0 .. <paramref name="count"/> − 1 determined by <paramref name="seed"/>.</summary>
    public static int[] Permutation(int count, long seed)
    {
        var order = new int[count];
        for (var i = 0; i < count; i++) order[i] = i;
        var state = (ulong)seed;
        for (var i = count - 1; i > 0; i--)
        {
            var j = (int)(Next(ref state) % (ulong)(i + 1));
            (order[i], order[j]) = (order[j], order[i]);
        }
        return order;
    }

    private static ulong Next(ref ulong state)
    {
        var z = state += 0x9E3779B97F4A7C15;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EB;
        return z ^ (z >> 31);
    }
}

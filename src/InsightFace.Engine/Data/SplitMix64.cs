namespace InsightFace.Engine.Data;

/// <summary>
/// A tiny seeded generator (SplitMix64) whose sequence is fixed by its definition, so seeded shuffles and synthetic
/// data are the same on every machine and .NET version (System.Random's seeded sequence is not a contract).
/// </summary>
internal struct SplitMix64
{
    private ulong _state;

    /// <summary>Starts the sequence for <paramref name="seed"/>, mixed with any <paramref name="streams"/> (class id, image id …).</summary>
    public SplitMix64(long seed, params long[] streams)
    {
        _state = (ulong)seed;
        foreach (var stream in streams)
        {
            _state ^= (ulong)stream;
            _state = NextULong();
        }
    }

    /// <summary>The next 64 random bits.</summary>
    public ulong NextULong()
    {
        var z = _state += 0x9E3779B97F4A7C15;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EB;
        return z ^ (z >> 31);
    }

    /// <summary>An integer in [0, <paramref name="bound"/>).</summary>
    public int NextInt(int bound) => (int)(NextULong() % (ulong)bound);

    /// <summary>A double in [0, 1).</summary>
    public double NextDouble() => (NextULong() >> 11) * (1.0 / (1UL << 53));

    /// <summary>A double in [<paramref name="min"/>, <paramref name="max"/>).</summary>
    public double Range(double min, double max) => min + (max - min) * NextDouble();

    /// <summary>A standard normal value (Box–Muller).</summary>
    public double NextGaussian() => Math.Sqrt(-2 * Math.Log(1 - NextDouble())) * Math.Cos(2 * Math.PI * NextDouble());
}

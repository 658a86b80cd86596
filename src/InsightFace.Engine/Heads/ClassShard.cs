namespace InsightFace.Engine.Heads;

/// <summary>
/// The contiguous block of class centres one rank owns: C div W classes each, and one more for the first
/// C mod W ranks (arcface_torch's sharding, so per-rank checkpoints line up).
/// </summary>
/// <param name="Start">The first global class of the block.</param>
/// <param name="Count">How many classes the block holds (0 when there are fewer classes than ranks).</param>
public readonly record struct ClassShard(long Start, long Count)
{
    /// <summary>The block of rank <paramref name="rank"/> when <paramref name="numClasses"/> are split over <paramref name="worldSize"/> ranks.</summary>
    public static ClassShard For(long numClasses, int worldSize, int rank)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(numClasses);
        ArgumentOutOfRangeException.ThrowIfLessThan(worldSize, 1);
        if (rank < 0 || rank >= worldSize)
            throw new ArgumentOutOfRangeException(nameof(rank), rank, $"Rank must be in [0, {worldSize}).");
        var baseCount = numClasses / worldSize;
        var extra = numClasses % worldSize;
        return new ClassShard(baseCount * rank + Math.Min(rank, extra), baseCount + (rank < extra ? 1 : 0));
    }
}

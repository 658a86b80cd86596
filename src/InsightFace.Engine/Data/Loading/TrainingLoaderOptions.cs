namespace InsightFace.Engine.Data.Loading;

/// <summary>How <see cref="TrainingLoader"/> batches, shards and prefetches a dataset.</summary>
/// <param name="BatchSize">Images per batch on this rank (arcface_torch's <c>batch_size</c>).</param>
/// <param name="Workers">Decoding threads (arcface_torch's <c>num_workers</c>); the output does not depend on it.</param>
/// <param name="Seed">Seeds the per-epoch shuffle and the random flips.</param>
/// <param name="Rank">This process's rank, 0 .. <paramref name="WorldSize"/> − 1.</param>
/// <param name="WorldSize">The number of ranks the dataset is sharded over.</param>
/// <param name="Prefetch">The most batches decoded ahead of the consumer.</param>
/// <param name="RandomFlip">Mirror each image left to right with probability ½, as arcface_torch's RandomHorizontalFlip.</param>
public sealed record TrainingLoaderOptions(int BatchSize, int Workers, long Seed, int Rank = 0, int WorldSize = 1,
    int Prefetch = 4, bool RandomFlip = true);

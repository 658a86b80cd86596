using TorchSharp;
using InsightFace.Engine.Runtime;
using InsightFace.Engine.Heads;
using InsightFace.Engine.Import;
using InsightFace.Engine.Import.PyTorch;
using static TorchSharp.torch;

namespace InsightFace.Engine.Training;

/// <summary>
/// The per-rank files of a checkpoint and the re-sharding of the head when a run resumes with another number of
/// processes. A one-process checkpoint keeps its plain names (head.pt, gradients.pt, optimizer.dat); rank r of W
/// writes head_rank{r}_of_{W}.pt, gradients_rank{r}_of_{W}.pt and optimizer_rank{r}_of_{W}.dat, as arcface_torch
/// writes checkpoint_gpu_{rank}.pt.
/// </summary>
/// <remarks>
/// A head file holds the shard's centres (<c>weight</c>, rows <see cref="ClassShard.For"/> of the saved world size)
/// and, with the sparse SGD, their <c>momentum</c>. A gradients file holds the accumulation window in progress:
/// the backbone's gradients (<c>backbone.</c> and the parameter's name), the shard's centre gradients
/// (<c>head.weight</c>) and the shard's sampled rows (<c>head.sampled_rows</c>).
/// </remarks>
internal static class ShardFiles
{
    public static string Head(int rank, int worldSize) => Name("head", rank, worldSize, ".pt");

    public static string Gradients(int rank, int worldSize) => Name("gradients", rank, worldSize, ".pt");

    public static string Optimizer(int rank, int worldSize) => Name("optimizer", rank, worldSize, ".dat");

    /// <summary>
    /// True when the optimizer's state covers the head's shard (dense SGD, AdamW), so every rank saves its own;
    /// with SGD and the sparse update it covers only the backbone, the same on every rank, and rank 0 saves it.
    /// </summary>
    public static bool OptimizerPerRank(Configuration.TrainingConfig config) => !(config.Optimizer == "sgd" && !config.DenseCentreUpdate);

    /// <summary>Every per-rank file name a checkpoint of <paramref name="worldSize"/> processes holds (gradients files only inside a window).</summary>
    public static IEnumerable<string> HeadFiles(int worldSize) => Enumerable.Range(0, worldSize).Select(r => Head(r, worldSize));

    private static string Name(string stem, int rank, int worldSize, string extension) =>
        worldSize == 1 ? stem + extension : $"{stem}_rank{rank}_of_{worldSize}{extension}";

    /// <summary>
    /// Rows <paramref name="shard"/> of the whole head's tensor <paramref name="key"/> (weight, momentum,
    /// head.weight), read from the shard files <paramref name="fileOf"/> names for a checkpoint written by
    /// <paramref name="savedWorldSize"/> processes. Only the files that overlap <paramref name="shard"/> are read.
    /// </summary>
    public static Tensor ReadRows(string folder, Func<int, int, string> fileOf, string key, int savedWorldSize,
        long numClasses, ClassShard shard, long columns)
    {
        using var scope = NewDisposeScope();
        var rows = zeros(shard.Count, columns, dtype: ScalarType.Float32);
        var dtypeSet = false;
        for (var rank = 0; rank < savedWorldSize; rank++)
        {
            var saved = ClassShard.For(numClasses, savedWorldSize, rank);
            var from = Math.Max(saved.Start, shard.Start);
            var to = Math.Min(saved.Start + saved.Count, shard.Start + shard.Count);
            if (from >= to) continue;
            using var state = PthReader.Read(Path.Combine(folder, fileOf(rank, savedWorldSize)));
            var source = state[key];
            if (!dtypeSet)
            {
                rows = rows.to(source.dtype);
                dtypeSet = true;
            }
            rows.narrow(0, from - shard.Start, to - from).copy_(source.narrow(0, from - saved.Start, to - from));
        }
        return rows.MoveToOuterDisposeScope();
    }

    /// <summary>
    /// The rows of <paramref name="shard"/> (as indices within it) that the saved ranks had sampled in the window in
    /// progress, read from their gradients files.
    /// </summary>
    public static Tensor ReadSampledRows(string folder, int savedWorldSize, long numClasses, ClassShard shard)
    {
        using var scope = NewDisposeScope();
        var parts = new List<Tensor> { empty(0, ScalarType.Int64) };
        for (var rank = 0; rank < savedWorldSize; rank++)
        {
            var saved = ClassShard.For(numClasses, savedWorldSize, rank);
            if (saved.Start >= shard.Start + shard.Count || saved.Start + saved.Count <= shard.Start) continue;
            using var state = PthReader.Read(Path.Combine(folder, Gradients(rank, savedWorldSize)));
            using var savedStart = saved.Start.ToScalar();
            using var start = shard.Start.ToScalar();
            using var end = (shard.Start + shard.Count).ToScalar();
            var global = state["head.sampled_rows"].add(savedStart, Scalars.One);
            var mine = global.ge(start).logical_and_(global.lt(end));
            parts.Add(global.masked_select(mine).sub(start));
        }
        return cat(parts, 0).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// The backbone's window gradients of the whole job: the sum over the saved ranks' gradients files. Their sum is
    /// what the window's all-reduce would have produced, so one rank of the resumed job carries it and the others none.
    /// </summary>
    public static StateDict ReadBackboneGradients(string folder, int savedWorldSize)
    {
        var sum = new StateDict();
        for (var rank = 0; rank < savedWorldSize; rank++)
        {
            using var state = PthReader.Read(Path.Combine(folder, Gradients(rank, savedWorldSize)));
            foreach (var key in state.Keys.Where(k => k.StartsWith("backbone.", StringComparison.Ordinal)))
            {
                if (sum.ContainsKey(key)) sum[key].add_(state[key], Scalars.One);
                else sum.Add(key, state[key].clone().DetachFromDisposeScope());
            }
        }
        return sum;
    }
}

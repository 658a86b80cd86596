using InsightFace.Engine.Heads;
using InsightFace.Engine.Import;
using InsightFace.Engine.Import.PyTorch;
using InsightFace.Engine.Tests.Data;
using InsightFace.Engine.Training;
using static TorchSharp.torch;

namespace InsightFace.Engine.Tests.Training;

/// <summary>
/// Re-sharding a checkpoint's head when a run resumes with another number of processes: 11 classes (uneven
/// shards), written as W shards and read back as W' shards, must give back exactly the rows of the whole head.
/// </summary>
public class ShardFilesTests
{
    private const long Classes = 11;
    private const long Columns = 3;

    // Row c of the whole head holds c·10 + column, so every value says where it belongs.
    private static Tensor Whole(double offset) => arange(Classes * Columns, dtype: float64).reshape(Classes, Columns).add(offset);

    private static void WriteShards(string folder, int worldSize, long[] sampledGlobalRows)
    {
        for (var rank = 0; rank < worldSize; rank++)
        {
            var shard = ClassShard.For(Classes, worldSize, rank);
            using (var head = new StateDict())
            {
                head.Add("weight", Whole(0).narrow(0, shard.Start, shard.Count).clone());
                head.Add("momentum", Whole(1000).narrow(0, shard.Start, shard.Count).clone());
                PthWriter.Write(Path.Combine(folder, ShardFiles.Head(rank, worldSize)), head, overwrite: true);
            }
            using var gradients = new StateDict();
            gradients.Add("backbone.w", full(2, rank + 1.0, dtype: float64));
            gradients.Add("head.weight", Whole(2000).narrow(0, shard.Start, shard.Count).clone());
            var mine = sampledGlobalRows.Where(r => r >= shard.Start && r < shard.Start + shard.Count).Select(r => r - shard.Start).ToArray();
            gradients.Add("head.sampled_rows", tensor(mine));
            PthWriter.Write(Path.Combine(folder, ShardFiles.Gradients(rank, worldSize)), gradients, overwrite: true);
        }
    }

    [Theory]
    [InlineData(2, 3)]
    [InlineData(3, 1)]
    [InlineData(1, 2)]
    [InlineData(4, 12)] // more ranks than classes: one shard is empty
    public void A_head_saved_by_W_processes_reads_back_exactly_as_W_prime_shards(int saved, int resumed)
    {
        using var folder = new TempFolder();
        using var scope = NewDisposeScope();
        long[] sampled = [0, 3, 4, 7, 10];
        WriteShards(folder.Path, saved, sampled);

        var weights = new List<Tensor>();
        var momenta = new List<Tensor>();
        var gradients = new List<Tensor>();
        var rows = new List<long>();
        for (var rank = 0; rank < resumed; rank++)
        {
            var shard = ClassShard.For(Classes, resumed, rank);
            weights.Add(ShardFiles.ReadRows(folder.Path, ShardFiles.Head, "weight", saved, Classes, shard, Columns));
            momenta.Add(ShardFiles.ReadRows(folder.Path, ShardFiles.Head, "momentum", saved, Classes, shard, Columns));
            gradients.Add(ShardFiles.ReadRows(folder.Path, ShardFiles.Gradients, "head.weight", saved, Classes, shard, Columns));
            rows.AddRange(ShardFiles.ReadSampledRows(folder.Path, saved, Classes, shard).data<long>().ToArray().Select(r => r + shard.Start));
            Assert.Equal(shard.Count, weights[^1].shape[0]);
        }

        Assert.Equal(Whole(0).data<double>().ToArray(), cat(weights, 0).data<double>().ToArray());
        Assert.Equal(Whole(1000).data<double>().ToArray(), cat(momenta, 0).data<double>().ToArray());
        Assert.Equal(Whole(2000).data<double>().ToArray(), cat(gradients, 0).data<double>().ToArray());
        Assert.Equal(sampled, rows.Order());
    }

    [Fact]
    public void The_windows_backbone_gradients_of_every_saved_rank_add_up()
    {
        using var folder = new TempFolder();
        WriteShards(folder.Path, 3, []);
        using var sum = ShardFiles.ReadBackboneGradients(folder.Path, 3);

        Assert.Equal(["backbone.w"], sum.Keys);
        Assert.Equal([6.0, 6.0], sum["backbone.w"].data<double>().ToArray());
    }

    [Fact]
    public void One_process_keeps_the_plain_file_names()
    {
        Assert.Equal("head.pt", ShardFiles.Head(0, 1));
        Assert.Equal("gradients.pt", ShardFiles.Gradients(0, 1));
        Assert.Equal("optimizer.dat", ShardFiles.Optimizer(0, 1));
        Assert.Equal("head_rank2_of_4.pt", ShardFiles.Head(2, 4));
        Assert.Equal("optimizer_rank0_of_2.dat", ShardFiles.Optimizer(0, 2));
    }
}

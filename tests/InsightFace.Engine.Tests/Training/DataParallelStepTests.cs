using System.Collections;
using InsightFace.Engine.Backbones;
using InsightFace.Engine.Configuration;
using InsightFace.Engine.Distributed;
using InsightFace.Engine.Heads;
using InsightFace.Engine.Tests.Support;
using InsightFace.Engine.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace InsightFace.Engine.Tests.Training;

/// <summary>
/// W ranks × b samples train exactly like one process on the W·b samples with BatchNorm applied to each rank's
/// part separately: the same losses, backbone and head (each rank's shard is its rows of the whole head). Ranks are
/// threads here (the real processes run the same check under MPI). float64, so only the order of the floating-point
/// reductions differs: a sum over ranks instead of one over the batch, which moves results by a few ulps per step.
/// </summary>
public class DataParallelStepTests
{
    private const int PerRank = 2;
    private const int Classes = 7;
    private const int Embedding = 16;
    private const int Steps = 4;
    private const double Tolerance = 1e-10;

    private static TrainingConfig Config(int worldSize) => ConfigResolver.Resolve(null, set: new Hashtable
    {
        ["rec"] = "synthetic", ["num_classes"] = Classes, ["num_image"] = 64, ["batch_size"] = PerRank,
        ["embedding_size"] = Embedding, ["gradient_acc"] = 2, ["seed"] = 3,
    }, worldSize: worldSize).Config;

    private static Backbone Network()
    {
        var network = BackboneRegistry.Create("mbf", new BackboneOptions { EmbeddingSize = Embedding, DType = float64 });
        network.train();
        return network;
    }

    private static PartialFC Head(ICollectives collectives, Tensor whole)
    {
        var head = new PartialFC(new CombinedMarginLoss(64, 1, 0.5, 0), Embedding, Classes, 1.0, collectives, dtype: float64);
        using (no_grad()) head.weight.copy_(whole.narrow(0, head.Shard.Start, head.Shard.Count));
        return head;
    }

    [Theory]
    [InlineData(2)]
    [InlineData(3)]
    public void W_ranks_train_like_one_process_with_per_rank_batch_norm(int worldSize)
    {
        using var scope = NewDisposeScope();
        manual_seed(21);
        var images = randn(new long[] { Steps, worldSize * PerRank, 3, 112, 112 }, dtype: float64);
        var labels = randint(0, Classes, new long[] { Steps, worldSize * PerRank });
        var wholeHead = normal(0, 0.01, new long[] { Classes, Embedding }, dtype: float64);
        using var initial = Network();
        var start = initial.state_dict().ToDictionary(kv => kv.Key, kv => kv.Value.clone());

        // The reference: one process, whole batches, BatchNorm per chunk.
        using var referenceNetwork = Network();
        referenceNetwork.load_state_dict(start);
        using var referenceHead = Head(SingleProcessCollectives.Instance, wholeHead);
        using var referenceStep = new OptimizationStep(new ChunkedBackbone(referenceNetwork, worldSize), referenceHead, Config(1), SingleProcessCollectives.Instance);
        var referenceLosses = Enumerable.Range(0, Steps).Select(s => referenceStep.Run(images[s], labels[s], s, 0.1).Loss).ToArray();

        var ranks = ThreadedCollectives.Run(worldSize, collectives =>
        {
            using var network = Network();
            network.load_state_dict(start);
            using var head = Head(collectives, wholeHead);
            using var step = new OptimizationStep(network, head, Config(worldSize), collectives);
            var mine = (Tensor batch) => batch.narrow(0, collectives.Rank * PerRank, PerRank);
            var losses = Enumerable.Range(0, Steps).Select(s => step.Run(mine(images[s]), mine(labels[s]), s, 0.1).Loss).ToArray();
            var parameters = network.parameters().Select(p => p.detach().clone().DetachFromDisposeScope()).ToArray();
            return (Losses: losses, Parameters: parameters, Head: head.weight.detach().clone().DetachFromDisposeScope(), head.Shard);
        });

        foreach (var rank in ranks)
        {
            for (var s = 0; s < Steps; s++) Assert.Equal(referenceLosses[s], rank.Losses[s], Tolerance);
            foreach (var (mine, reference) in rank.Parameters.Zip(referenceNetwork.parameters()))
                Assert.True(mine.allclose(reference, rtol: 0, atol: Tolerance), "a backbone parameter differs from the reference");
            Assert.True(rank.Head.allclose(referenceHead.weight.narrow(0, rank.Shard.Start, rank.Shard.Count), rtol: 0, atol: Tolerance));
        }
        // The step must have moved the weights, or the comparison proves nothing.
        Assert.False(referenceHead.weight.allclose(wholeHead, rtol: 0, atol: 1e-6));
    }
}

using System.Collections;
using InsightFace.Engine.Backbones;
using InsightFace.Engine.Configuration;
using InsightFace.Engine.Distributed;
using InsightFace.Engine.Heads;
using InsightFace.Engine.Training;
using static TorchSharp.torch;

namespace InsightFace.Distributed.Worker;

/// <summary>
/// W real ranks × b samples against one process on the W·b samples with BatchNorm applied to each rank's part
/// separately (each rank computes that reference itself, from the same seeds): the same losses, backbone and head
/// rows after four steps in two accumulation windows. float64; the tolerance covers only the order of the sums
/// (over ranks instead of over the batch). The default 7 classes give uneven shards; <c>step-parity CLASSES</c> with
/// fewer classes than ranks leaves the last shards empty.
/// </summary>
internal static class StepParityCase
{
    private const int PerRank = 2;
    private const int Embedding = 16;
    private const int Steps = 4;
    private const double Tolerance = 1e-10;

    public static void Run(ICollectives collectives, string[] arguments)
    {
        var classes = arguments.Length > 0 ? int.Parse(arguments[0], System.Globalization.CultureInfo.InvariantCulture) : 7;
        var worldSize = collectives.WorldSize;
        using var scope = NewDisposeScope();
        manual_seed(21);
        var images = randn(new long[] { Steps, worldSize * PerRank, 3, 112, 112 }, dtype: float64);
        var labels = randint(0, classes, new long[] { Steps, worldSize * PerRank });
        var wholeHead = normal(0, 0.01, new long[] { classes, Embedding }, dtype: float64);
        using var initial = Network();
        var start = initial.state_dict().ToDictionary(kv => kv.Key, kv => kv.Value.clone());

        using var referenceNetwork = Network();
        referenceNetwork.load_state_dict(start);
        using var referenceHead = Head(SingleProcessCollectives.Instance, wholeHead, classes);
        using var referenceStep = new OptimizationStep(new ChunkedBackbone(referenceNetwork, worldSize), referenceHead, Config(1, classes), SingleProcessCollectives.Instance);
        var referenceLosses = Enumerable.Range(0, Steps).Select(s => referenceStep.Run(images[s], labels[s], s, 0.1).Loss).ToArray();

        using var network = Network();
        network.load_state_dict(start);
        using var head = Head(collectives, wholeHead, classes);
        using var step = new OptimizationStep(network, head, Config(worldSize, classes), collectives);
        Tensor Mine(Tensor batch) => batch.narrow(0, collectives.Rank * PerRank, PerRank);
        for (var s = 0; s < Steps; s++)
        {
            var loss = step.Run(Mine(images[s]), Mine(labels[s]), s, 0.1).Loss;
            Check(Math.Abs(loss - referenceLosses[s]) <= Tolerance, $"step {s}: loss {loss:R}, reference {referenceLosses[s]:R}");
        }
        foreach (var ((name, mine), reference) in network.named_parameters().Zip(referenceNetwork.parameters()))
            Check(mine.allclose(reference, rtol: 0, atol: Tolerance), $"backbone parameter {name} differs by {mine.sub(reference).abs().max().item<double>():G3}");
        var rows = referenceHead.weight.narrow(0, head.Shard.Start, head.Shard.Count);
        Check(head.weight.allclose(rows, rtol: 0, atol: Tolerance), "the head shard differs from its rows of the reference head");
        Check(!referenceHead.weight.allclose(wholeHead, rtol: 0, atol: 1e-6), "the steps did not move the head");
    }

    private static void Check(bool condition, string message)
    {
        if (!condition) throw new InvalidOperationException(message);
    }

    private static TrainingConfig Config(int worldSize, int classes) => ConfigResolver.Resolve(null, set: new Hashtable
    {
        ["rec"] = "synthetic", ["num_classes"] = classes, ["num_image"] = 64, ["batch_size"] = PerRank,
        ["embedding_size"] = Embedding, ["gradient_acc"] = 2, ["seed"] = 3,
    }, worldSize: worldSize).Config;

    private static Backbone Network()
    {
        var network = BackboneRegistry.Create("mbf", new BackboneOptions { EmbeddingSize = Embedding, DType = float64 });
        network.train();
        return network;
    }

    private static PartialFC Head(ICollectives collectives, Tensor whole, int classes)
    {
        var head = new PartialFC(new CombinedMarginLoss(64, 1, 0.5, 0), Embedding, classes, 1.0, collectives, dtype: float64);
        using (no_grad()) head.weight.copy_(whole.narrow(0, head.Shard.Start, head.Shard.Count));
        return head;
    }
}

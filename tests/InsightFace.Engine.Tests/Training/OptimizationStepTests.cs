using InsightFace.Engine.Distributed;
using System.Collections;
using InsightFace.Engine.Configuration;
using InsightFace.Engine.Heads;
using InsightFace.Engine.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace InsightFace.Engine.Tests.Training;

/// <summary>
/// The training step on a tiny float64 problem (a linear backbone, 20 centres of length 8, plain softmax), against
/// the same arithmetic written out by hand.
/// </summary>
public class OptimizationStepTests
{
    private const int Input = 6;
    private const int Embedding = 8;
    private const int Classes = 20;
    private const double Lr = 0.1;
    private const double Momentum = 0.9;
    private const double WeightDecay = 5e-4;

    private static TrainingConfig Config(Hashtable set)
    {
        var values = new Hashtable
        {
            ["rec"] = "synthetic", ["num_classes"] = Classes, ["num_image"] = 64, ["batch_size"] = 4, ["embedding_size"] = Embedding,
            ["momentum"] = Momentum, ["weight_decay"] = WeightDecay, ["seed"] = 1,
        };
        foreach (DictionaryEntry entry in set) values[entry.Key] = entry.Value;
        return ConfigResolver.Resolve(null, set: values).Config;
    }

    private static PartialFC Head(double sampleRate) =>
        new(CombinedMarginLoss.PlainSoftmax(), Embedding, Classes, sampleRate, SingleProcessCollectives.Instance, dtype: float64);

    /// <summary>Σ over micro-batches of the gradient of each one's mean cross-entropy over its own classes.</summary>
    private static Tensor SummedCentreGradient(Tensor centres, IEnumerable<(Tensor Embeddings, long[] Labels)> microBatches)
    {
        var leaf = centres.detach().clone().requires_grad_();
        var total = zeros(1, float64);
        foreach (var (embeddings, labels) in microBatches)
        {
            // Each micro-batch holds exactly sample_rate × C distinct classes, so its sampled set is its own labels.
            var classes = tensor(labels.Order().ToArray());
            var logits = embeddings.matmul(leaf.index_select(0, classes).t());
            total = total.add(nn.functional.cross_entropy(logits, searchsorted(classes, tensor(labels))));
        }
        total.backward();
        return leaf.grad!.clone();
    }

    // sparse: the update covers every centre any micro-batch of the window sampled, and only those (Partial FC v1);
    // dense: every centre, momentum and weight decay moving the others too (arcface_torch v2).
    [Theory]
    [InlineData("sparse")]
    [InlineData("dense")]
    public void An_accumulation_window_updates_every_centre_any_of_its_micro_batches_sampled(string pfcUpdate)
    {
        using var scope = NewDisposeScope();
        manual_seed(5);
        var config = Config(new Hashtable { ["gradient_acc"] = 4, ["sample_rate"] = 0.2, ["pfc_update"] = pfcUpdate });
        using var backbone = nn.Linear(Input, Embedding, dtype: float64);
        using var head = Head(0.2);
        Assert.Equal(4, head.NumSample);
        using var step = new OptimizationStep(backbone, head, config, SingleProcessCollectives.Instance);

        // Two windows of four micro-batches, each micro-batch sampling other centres. Window 2 leaves 6, 8, 11, 13,
        // 16 and 18 out, which carry momentum from window 1: sparse SGD must leave them exactly as they are.
        long[][][] windows =
        [
            [[0, 1, 2, 3], [5, 6, 7, 8], [10, 11, 12, 13], [15, 16, 17, 18]],
            [[1, 2, 3, 4], [4, 9, 14, 19], [0, 5, 10, 15], [2, 7, 12, 17]],
        ];
        var weight = head.weight.detach().clone();
        var velocity = zeros_like(weight);
        long globalStep = 0;
        foreach (var window in windows)
        {
            var inputs = window.Select(_ => randn(4, Input, float64)).ToArray();
            Tensor[] embeddings;
            using (no_grad()) embeddings = inputs.Select(x => backbone.call(x)).ToArray(); // the backbone moves only at the window's end

            var gradient = SummedCentreGradient(weight, embeddings.Zip(window));
            var sampled = full(Classes, pfcUpdate == "dense", ScalarType.Bool);
            foreach (var labels in window) sampled.index_fill_(0, tensor(labels), true);
            var rows = sampled.unsqueeze(1).expand(Classes, Embedding);
            var stepped = velocity.mul(Momentum).add(gradient).add(weight.mul(WeightDecay));
            velocity = where(rows, stepped, velocity);
            weight = where(rows, weight.sub(stepped.mul(Lr)), weight);

            for (var k = 0; k < window.Length; k++)
            {
                var result = step.Run(inputs[k], tensor(window[k]), globalStep++, Lr);
                Assert.Equal(k == window.Length - 1, result.Updated);
            }
            Assert.True(head.weight.allclose(weight, rtol: 0, atol: 1e-10), $"max diff {head.weight.sub(weight).abs().max().item<double>()}");
            if (pfcUpdate == "sparse") Assert.True(step.HeadMomentum!.allclose(velocity, rtol: 0, atol: 1e-10));
        }
    }

    private static (nn.Module<Tensor, Tensor> Backbone, PartialFC Head) Model(int seed, double sampleRate)
    {
        manual_seed(seed);
        return (nn.Linear(Input, Embedding, dtype: float64), Head(sampleRate));
    }

    private static double[] Weights(nn.Module<Tensor, Tensor> backbone, PartialFC head) =>
        backbone.parameters().Append(head.weight).SelectMany(p => p.data<double>().ToArray()).ToArray();

    // The Trainer reserves the gradients and momentum buffers before its first step, so that they lie below the
    // activations in the heap; as zeros, they must leave every number as the steps without them give it.
    [Theory]
    [InlineData("sgd", "sparse", 1)]
    [InlineData("sgd", "dense", 1)]
    [InlineData("sgd", "sparse", 2)]
    [InlineData("adamw", "dense", 1)]
    public void Reserving_the_state_before_the_first_step_changes_no_number(string optimizer, string pfcUpdate, int gradientAcc)
    {
        using var scope = NewDisposeScope();
        var config = Config(new Hashtable { ["optimizer"] = optimizer, ["pfc_update"] = pfcUpdate, ["gradient_acc"] = gradientAcc, ["sample_rate"] = 0.5 });
        var inputs = Enumerable.Range(0, 4).Select(_ => randn(4, Input, float64)).ToArray();
        long[][] labels = [[0, 1, 2, 3], [4, 5, 6, 7], [8, 9, 10, 11], [12, 13, 14, 15]];
        double[] Train(bool reserve)
        {
            var (backbone, head) = Model(3, 0.5);
            using var step = new OptimizationStep(backbone, head, config, SingleProcessCollectives.Instance);
            if (reserve)
            {
                step.ReserveState();
                Assert.All(backbone.parameters().Append(head.weight), p => Assert.Equal(0, p.grad!.abs().sum().item<double>()));
            }
            for (var i = 0; i < inputs.Length; i++) step.Run(inputs[i], tensor(labels[i]), i, Lr);
            return Weights(backbone, head);
        }
        Assert.Equal(Train(reserve: false), Train(reserve: true));
    }

    [Fact]
    public void A_skipped_non_finite_batch_discards_the_window_for_the_head_as_for_the_backbone()
    {
        using var scope = NewDisposeScope();
        var config = Config(new Hashtable { ["gradient_acc"] = 2 });
        var inputs = Enumerable.Range(0, 4).Select(_ => randn(4, Input, float64)).ToArray();
        inputs[1] = full(4, Input, double.NaN, float64);
        long[][] labels = [[0, 1, 2, 3], [4, 5, 6, 7], [8, 9, 10, 11], [12, 13, 14, 15]];

        var (backbone, head) = Model(3, 1.0);
        using (var step = new OptimizationStep(backbone, head, config, SingleProcessCollectives.Instance))
        {
            Assert.True(step.Run(inputs[0], tensor(labels[0]), 0, Lr).Finite);
            var skipped = step.Run(inputs[1], tensor(labels[1]), 1, Lr); // ends window 1 with nothing learnt
            Assert.False(skipped.Finite || skipped.Updated);
            step.Run(inputs[2], tensor(labels[2]), 2, Lr);
            Assert.True(step.Run(inputs[3], tensor(labels[3]), 3, Lr).Updated);
        }

        // The same model that only ever saw window 2.
        var (twinBackbone, twinHead) = Model(3, 1.0);
        using (var twin = new OptimizationStep(twinBackbone, twinHead, config, SingleProcessCollectives.Instance))
        {
            twin.Run(inputs[2], tensor(labels[2]), 2, Lr);
            twin.Run(inputs[3], tensor(labels[3]), 3, Lr);
        }
        Assert.Equal(Weights(twinBackbone, twinHead), Weights(backbone, head));
    }

    [Fact]
    public void Loaded_optimizer_state_keeps_this_configs_momentum_and_weight_decay_for_backbone_and_head()
    {
        using var scope = NewDisposeScope();
        var (backbone, head) = Model(4, 1.0);
        long[] labels = [0, 5, 9, 17];
        var path = Path.Combine(Directory.CreateTempSubdirectory().FullName, "optimizer.dat");
        Tensor headMomentum;
        using (var trained = new OptimizationStep(backbone, head, Config(new Hashtable()), SingleProcessCollectives.Instance))
        {
            trained.Run(randn(4, Input, float64), tensor(labels), 0, Lr); // momentum 0.9 and weight decay 5e-4 leave buffers
            trained.SaveOptimizerState(path);
            headMomentum = trained.HeadMomentum!.clone();
        }
        Assert.True(headMomentum.abs().sum().item<double>() > 0);

        // Resumed with momentum 0 and no weight decay, an update is plain −lr·g for every parameter, whatever the buffers hold.
        using var resumed = new OptimizationStep(backbone, head, Config(new Hashtable { ["momentum"] = 0.0, ["weight_decay"] = 0.0 }),
            SingleProcessCollectives.Instance);
        resumed.LoadOptimizerState(path);
        resumed.HeadMomentum!.copy_(headMomentum);

        var input = randn(4, Input, float64);
        var leaves = backbone.parameters().Append(head.weight).Select(p => p.detach().clone().requires_grad_()).ToArray();
        var logits = input.matmul(leaves[0].t()).add(leaves[1]).matmul(leaves[2].t());
        var gradients = autograd.grad([nn.functional.cross_entropy(logits, tensor(labels))], leaves);
        Assert.True(gradients[0].square().sum().add(gradients[1].square().sum()).sqrt().item<double>() < OptimizationStep.ClipNorm);
        var expected = leaves.Zip(gradients, (w, g) => w.detach().sub(g.mul(Lr))).ToArray();

        resumed.Run(input, tensor(labels), 1, Lr);
        var actual = backbone.parameters().Append(head.weight).ToArray();
        for (var i = 0; i < actual.Length; i++)
            Assert.True(actual[i].allclose(expected[i], rtol: 0, atol: 1e-12), $"parameter {i}: max diff {actual[i].sub(expected[i]).abs().max().item<double>()}");
    }

    [Fact]
    public void AdamW_applies_the_configs_weight_decay_to_backbone_and_head()
    {
        using var scope = NewDisposeScope();
        var input = randn(4, Input, float64);
        long[] labels = [1, 2, 3, 4];
        Tensor[] TrainedWith(double weightDecay)
        {
            var (backbone, head) = Model(6, 1.0);
            using var step = new OptimizationStep(backbone, head,
                Config(new Hashtable { ["optimizer"] = "adamw", ["weight_decay"] = weightDecay }), SingleProcessCollectives.Instance);
            step.Run(input, tensor(labels), 0, Lr);
            return backbone.parameters().Append(head.weight).Select(p => p.detach().clone()).ToArray();
        }
        var (initialBackbone, initialHead) = Model(6, 1.0);
        var initial = initialBackbone.parameters().Append(initialHead.weight).ToArray();

        // AdamW decays decoupled from the gradient, w ← w·(1 − lr·wd) before the Adam update, which is the same
        // either way: the two results differ by exactly lr·wd·w₀, for the backbone and the head alike.
        var plain = TrainedWith(0.0);
        var decayed = TrainedWith(0.5);
        for (var i = 0; i < initial.Length; i++)
            Assert.True(plain[i].sub(decayed[i]).allclose(initial[i].mul(Lr * 0.5), rtol: 0, atol: 1e-12), $"parameter {i}");
    }
}

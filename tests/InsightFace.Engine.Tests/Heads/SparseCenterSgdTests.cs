using InsightFace.Engine.Distributed;
using InsightFace.Engine.Heads;
using TorchSharp;
using static TorchSharp.torch;

namespace InsightFace.Engine.Tests.Heads;

public class SparseCenterSgdTests
{
    private const double Momentum = 0.9;
    private const double WeightDecay = 5e-4;

    private static PartialFC Head(double sampleRate, ulong seed) =>
        new(new CombinedMarginLoss(64, 1, 0, 0.4), 8, 20, sampleRate, SingleProcessCollectives.Instance,
            dtype: float64, sampling: new Generator(seed));

    // Returns the rows the forward pass sampled.
    private static Tensor Backward(PartialFC pfc, long[] labels)
    {
        pfc.zero_grad();
        var (loss, rows) = pfc.ForwardSampled(randn(labels.Length, 8, float64), tensor(labels));
        loss.backward();
        return rows;
    }

    [Fact]
    public void With_every_centre_sampled_it_equals_torch_SGD()
    {
        using var scope = NewDisposeScope();
        torch.manual_seed(8);
        using var pfc = Head(1.0, 1);
        using var sparse = new SparseCenterSgd(pfc, Momentum, WeightDecay);
        var twin = new TorchSharp.Modules.Parameter(pfc.weight.detach().clone());
        using var dense = optim.SGD([twin], 0.1, momentum: Momentum, weight_decay: WeightDecay);

        foreach (var (labels, lr) in new[] { (new long[] { 1, 5, 19 }, 0.1), (new long[] { 0, 5, 7 }, 0.05) })
        {
            var rows = Backward(pfc, labels);
            Assert.Equal(20, rows.numel());
            twin.grad = pfc.weight.grad!.clone();
            foreach (var group in dense.ParamGroups) group.LearningRate = lr;
            dense.step();
            sparse.Step(lr, rows);
            Assert.True(pfc.weight.allclose(twin, rtol: 1e-12, atol: 1e-12), $"max diff {pfc.weight.sub(twin).abs().max().item<double>()} at lr {lr}");
        }
    }

    [Fact]
    public void Unsampled_centres_keep_their_value_and_momentum()
    {
        using var scope = NewDisposeScope();
        torch.manual_seed(9);
        using var pfc = Head(0.25, 2); // 5 of 20 centres per step
        using var sparse = new SparseCenterSgd(pfc, Momentum, WeightDecay);

        sparse.Step(0.1, Backward(pfc, [0, 11, 12])); // a first step leaves momentum on the rows it sampled
        var rows = Backward(pfc, [3, 3, 17]);
        // The sampled centres are the rows that received gradient.
        Assert.Equal(pfc.weight.grad!.ne(0).any(1).nonzero().squeeze(1).data<long>().ToArray(), rows.data<long>().ToArray());
        Assert.Equal(5, rows.numel());
        Assert.True(isin(tensor(new long[] { 3, 17 }), rows).all().item<bool>());

        var before = pfc.weight.detach().clone();
        var gradient = pfc.weight.grad!.clone();
        var velocity = sparse.MomentumBuffer.clone();
        sparse.Step(0.1, rows);

        var sampled = zeros(20, ScalarType.Bool).index_fill_(0, rows, true).unsqueeze(1).expand(20, 8);
        // Sampled rows, by hand: v = μ·v + g + wd·w; w = w − lr·v.
        var expectedVelocity = velocity.mul(Momentum).add(gradient).add(before.mul(WeightDecay));
        var expected = where(sampled, before.sub(expectedVelocity.mul(0.1)), before);
        Assert.True(pfc.weight.allclose(expected, rtol: 1e-12, atol: 1e-14));
        Assert.True(sparse.MomentumBuffer.allclose(where(sampled, expectedVelocity, velocity), rtol: 1e-12, atol: 1e-14));
        // Unsampled rows: bit for bit unchanged, although their weight decay would be non-zero.
        Assert.True(pfc.weight.masked_select(sampled.logical_not()).equal(before.masked_select(sampled.logical_not())).all().item<bool>());
        var kept = sparse.MomentumBuffer.masked_select(sampled.logical_not());
        Assert.True(kept.equal(velocity.masked_select(sampled.logical_not())).all().item<bool>());
        Assert.True(kept.ne(0).any().item<bool>()); // some unsampled rows do carry momentum that was left alone
    }

    [Fact]
    public void A_step_with_nothing_sampled_changes_nothing()
    {
        using var scope = NewDisposeScope();
        using var pfc = Head(0.5, 3);
        using var sparse = new SparseCenterSgd(pfc, Momentum, WeightDecay);
        var before = pfc.weight.detach().clone();
        sparse.Step(0.1, empty(0, ScalarType.Int64));
        Assert.True(pfc.weight.equal(before).all().item<bool>());
    }
}

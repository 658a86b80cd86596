using InsightFace.Engine.Tests.Support;
using InsightFace.Engine.Heads;
using TorchSharp;
using static TorchSharp.torch;

namespace InsightFace.Engine.Tests.Heads;

/// <summary>
/// Partial FC over W simulated ranks against one full softmax computed directly in float64 on the classes the
/// ranks used: loss, embedding gradients and centre gradients agree to 1e-10.
/// </summary>
public class PartialFCParityTests
{
    private const int Embedding = 8;
    private const int PerRank = 3;

    private sealed record Margin(double S, double M1, double M2, double M3, bool StraightThrough = false, bool Plain = false,
        double Filtering = 0)
    {
        public CombinedMarginLoss Create() =>
            Plain ? CombinedMarginLoss.PlainSoftmax() : new CombinedMarginLoss(S, M1, M2, M3, StraightThrough, Filtering);
    }

    private static readonly Margin ArcFace = new(64, 1, 0.5, 0);

    private sealed record RankResult(double Loss, Tensor EmbeddingGrad, Tensor CentreGrad, Tensor ActiveClasses, long PositiveCount, long NumSample);

    private sealed record Problem(Tensor Centres, Tensor Embeddings, Tensor Labels);

    private static Problem MakeProblem(int worldSize, int numClasses, int seed, long[]? labels = null)
    {
        var generator = new Generator((ulong)seed);
        var centres = randn(numClasses, Embedding, float64, generator: generator);
        var embeddings = randn(worldSize * PerRank, Embedding, float64, generator: generator);
        var labelTensor = labels is null
            ? randint(0, numClasses, [worldSize * PerRank], generator: generator, dtype: int64)
            : tensor(labels);
        return new Problem(centres, embeddings, labelTensor);
    }

    private static RankResult[] RunDistributed(Problem problem, int worldSize, double sampleRate, Margin margin) =>
        ThreadedCollectives.Run(worldSize, collectives =>
        {
            var rank = collectives.Rank;
            using var pfc = new PartialFC(margin.Create(), Embedding, problem.Centres.shape[0], sampleRate, collectives,
                dtype: float64, sampling: new Generator((ulong)(100 + rank)));
            using (no_grad()) pfc.weight.copy_(problem.Centres.narrow(0, pfc.Shard.Start, pfc.Shard.Count));
            var local = problem.Embeddings.narrow(0, rank * PerRank, PerRank).clone().requires_grad_();
            var (loss, sampled) = pfc.ForwardSampled(local, problem.Labels.narrow(0, rank * PerRank, PerRank));
            loss.backward();
            var active = sampled.add(pfc.Shard.Start);
            var labels = problem.Labels;
            var owned = labels.masked_select(labels.ge(pfc.Shard.Start).logical_and(labels.lt(pfc.Shard.Start + pfc.Shard.Count)));
            return new RankResult(loss.item<double>(), local.grad!.clone(), pfc.weight.grad!.clone(), active,
                PositiveCount: owned.unique().output.numel(), pfc.NumSample);
        });

    /// <summary>Cross-entropy over <paramref name="classes"/> only, written out directly with autograd.</summary>
    private static (double Loss, Tensor EmbeddingGrad, Tensor CentreGrad) Reference(Problem problem, Tensor classes, Margin margin)
    {
        var embeddings = problem.Embeddings.clone().requires_grad_();
        var centres = problem.Centres.index_select(0, classes).requires_grad_();
        var target = searchsorted(classes, problem.Labels);
        Tensor logits;
        if (margin.Plain)
        {
            logits = embeddings.matmul(centres.t());
        }
        else
        {
            var cosines = nn.functional.normalize(embeddings, 2, 1).matmul(nn.functional.normalize(centres, 2, 1).t());
            var targetCos = cosines.gather(1, target.unsqueeze(1));
            var angular = targetCos.acos().mul(margin.M1).add(margin.M2).cos();
            if (margin.StraightThrough) angular = targetCos.add(angular.sub(targetCos).detach());
            else if (margin is { M1: 1, M3: 0, M2: > 0 }) // the fallback past θ = π − m2 (see CombinedMarginLoss)
                angular = where(targetCos.le(Math.Cos(Math.PI - margin.M2)), targetCos.sub(Math.Sin(Math.PI - margin.M2) * margin.M2), angular);
            var marked = angular.sub(margin.M3);
            var isTarget = nn.functional.one_hot(target, classes.shape[0]).to(ScalarType.Bool);
            if (margin.Filtering > 0)
            {
                // arcface_torch: multiply by 1 - dirty, dirty = above the threshold and not the row's target.
                Tensor keep;
                using (no_grad()) keep = ones_like(cosines).sub(cosines.gt(margin.Filtering).logical_and(isTarget.logical_not()).to(float64));
                cosines = cosines.mul(keep);
            }
            logits = where(isTarget, marked.expand_as(cosines), cosines).mul(margin.S);
        }
        var loss = nn.functional.cross_entropy(logits, target);
        loss.backward();
        var centreGrad = zeros_like(problem.Centres).index_copy(0, classes, centres.grad!);
        return (loss.item<double>(), embeddings.grad!, centreGrad);
    }

    private static void AssertParity(Problem problem, RankResult[] ranks, Margin margin)
    {
        var classes = cat(ranks.Select(r => r.ActiveClasses).ToList(), 0);
        var (loss, embeddingGrad, centreGrad) = Reference(problem, classes, margin);
        Assert.All(ranks, r => Assert.Equal(loss, r.Loss, 1e-10));
        var ours = cat(ranks.Select(r => r.EmbeddingGrad).ToList(), 0);
        Assert.True(ours.allclose(embeddingGrad, rtol: 0, atol: 1e-10), $"max |dE| diff {ours.sub(embeddingGrad).abs().max().item<double>()}");
        var centres = cat(ranks.Select(r => r.CentreGrad).ToList(), 0);
        Assert.True(centres.allclose(centreGrad, rtol: 0, atol: 1e-10), $"max |dW| diff {centres.sub(centreGrad).abs().max().item<double>()}");
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    public void Sample_rate_one_equals_a_full_softmax_ArcFace(int worldSize)
    {
        var problem = MakeProblem(worldSize, numClasses: 10, seed: worldSize);
        var ranks = RunDistributed(problem, worldSize, sampleRate: 1.0, ArcFace);
        Assert.Equal(10, ranks.Sum(r => r.ActiveClasses.numel()));
        AssertParity(problem, ranks, ArcFace);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    public void Interclass_filtering_over_shards_equals_a_full_softmax_with_filtering(int worldSize)
    {
        var margin = ArcFace with { Filtering = 0.2 };
        var problem = MakeProblem(worldSize, numClasses: 10, seed: 40 + worldSize);
        AssertParity(problem, RunDistributed(problem, worldSize, 1.0, margin), margin);

        var cosines = nn.functional.normalize(problem.Embeddings, 2, 1).matmul(nn.functional.normalize(problem.Centres, 2, 1).t());
        var others = nn.functional.one_hot(problem.Labels, 10).eq(0);
        Assert.True(cosines.gt(0.2).logical_and(others).any().item<bool>(), "no cosine was above the threshold: filtering went untested");
    }

    [Theory]
    [InlineData(3, 11, false, false)] // 11 classes over 3 ranks: 4, 4, 3
    [InlineData(4, 11, true, false)]  // straight-through ArcFace, 3, 3, 3, 2
    [InlineData(2, 7, false, true)]   // plain softmax
    public void Uneven_shards_and_other_heads_equal_a_full_softmax(int worldSize, int numClasses, bool straightThrough, bool plain)
    {
        var margin = ArcFace with { StraightThrough = straightThrough, Plain = plain };
        var problem = MakeProblem(worldSize, numClasses, seed: 20 + worldSize);
        AssertParity(problem, RunDistributed(problem, worldSize, 1.0, margin), margin);
    }

    [Theory]
    [InlineData(1, 0.5)]
    [InlineData(2, 0.5)]
    [InlineData(3, 0.5)]
    [InlineData(4, 0.5)]
    [InlineData(2, 0.0)]
    [InlineData(3, 0.3)]
    public void Sampling_keeps_every_positive_fills_with_negatives_and_equals_a_softmax_over_the_kept_classes(int worldSize, double sampleRate)
    {
        var margin = new Margin(64, 1, 0, 0.4); // CosFace, as arcface_torch's Partial FC configs use
        var problem = MakeProblem(worldSize, numClasses: 40, seed: 30 + worldSize);
        var ranks = RunDistributed(problem, worldSize, sampleRate, margin);
        var labels = problem.Labels;
        foreach (var r in ranks)
        {
            Assert.Equal(Math.Max(r.NumSample, r.PositiveCount), r.ActiveClasses.numel());
            Assert.True(r.ActiveClasses.sort().Values.equal(r.ActiveClasses).all().item<bool>()); // ascending
        }
        var all = cat(ranks.Select(r => r.ActiveClasses).ToList(), 0);
        Assert.True(isin(labels, all).all().item<bool>());
        AssertParity(problem, ranks, margin);
    }

    [Fact]
    public void A_shard_with_no_positive_and_sample_rate_zero_takes_part_with_no_classes()
    {
        // 12 classes over 3 ranks: rank 1 owns 4..7, and no label falls there.
        long[] labels = [0, 3, 9, 11, 2, 8, 1, 10, 0];
        var problem = MakeProblem(3, numClasses: 12, seed: 5, labels);
        var ranks = RunDistributed(problem, 3, sampleRate: 0.0, ArcFace);
        Assert.Equal(0, ranks[1].ActiveClasses.numel());
        Assert.True(ranks[1].CentreGrad.eq(0).all().item<bool>());
        AssertParity(problem, ranks, ArcFace);
    }

    [Fact]
    public void Labels_at_the_first_and_last_class_and_an_embedding_on_its_centre_work()
    {
        long[] labels = [0, 9, 0, 9, 5, 4];
        var problem = MakeProblem(2, numClasses: 10, seed: 6, labels);
        // Row 0 points exactly along centre 0: cosθ = 1, where the true ArcFace derivative is unbounded.
        problem.Embeddings[0] = problem.Centres[0].mul(3.0);
        var ranks = RunDistributed(problem, 2, sampleRate: 1.0, ArcFace);
        Assert.All(ranks, r =>
        {
            Assert.True(double.IsFinite(r.Loss));
            Assert.True(r.EmbeddingGrad.isfinite().all().item<bool>());
            Assert.True(r.CentreGrad.isfinite().all().item<bool>());
        });
        Assert.Equal(ranks[0].Loss, ranks[1].Loss);
    }
}

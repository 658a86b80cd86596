using InsightFace.Engine.Tests.Support;
using InsightFace.Engine.Distributed;
using InsightFace.Engine.Heads;
using TorchSharp;
using static TorchSharp.torch;

namespace InsightFace.Engine.Tests.Heads;

public class PartialFCBadInputTests
{
    private static PartialFC Head(ICollectives collectives, double sampleRate = 1.0, long numClasses = 10) =>
        new(new CombinedMarginLoss(64, 1, 0.5, 0), 8, numClasses, sampleRate, collectives, dtype: float64);

    [Theory]
    [InlineData(10L, 1.0)]
    [InlineData(-1L, 1.0)]
    [InlineData(1_000_000L, 0.5)]
    public void A_label_outside_the_classes_names_the_label_and_batch_index_and_changes_nothing(long badLabel, double sampleRate)
    {
        using var scope = NewDisposeScope();
        using var pfc = Head(SingleProcessCollectives.Instance, sampleRate);
        var before = pfc.weight.clone();
        var embeddings = randn(4, 8, float64).requires_grad_();
        var labels = tensor(new[] { 0L, 9L, badLabel, 3L });

        var e = Assert.Throws<LabelOutOfRangeException>(() => pfc.call(embeddings, labels));
        Assert.Equal("LabelOutOfRange", e.ErrorId);
        Assert.Equal(badLabel, e.Label);
        Assert.Equal(2, e.BatchIndex);
        Assert.Equal(0, e.Rank);
        Assert.Contains($"Label {badLabel} at batch index 2", e.Message);
        Assert.Contains("[0, 10)", e.Message);

        Assert.True(pfc.weight.equal(before).all().item<bool>());
        Assert.Null(pfc.weight.grad);
    }

    [Fact]
    public void Every_rank_reports_a_bad_label_of_another_rank_instead_of_hanging()
    {
        var errors = Assert.Throws<AggregateException>(() => ThreadedCollectives.Run(2, collectives =>
        {
            using var scope = NewDisposeScope();
            using var pfc = Head(collectives);
            var labels = collectives.Rank == 1 ? tensor(new[] { 1L, 2L, 12L }) : tensor(new[] { 0L, 5L, 9L });
            return pfc.call(randn(3, 8, float64), labels).item<double>();
        }));
        Assert.Equal(2, errors.InnerExceptions.Count);
        Assert.All(errors.InnerExceptions, e =>
        {
            var bad = Assert.IsType<LabelOutOfRangeException>(e);
            Assert.Equal((12L, 2L, 1), (bad.Label, bad.BatchIndex, bad.Rank));
            Assert.Contains("of rank 1", bad.Message);
        });
    }

    [Fact]
    public void Embeddings_of_the_wrong_length_are_rejected()
    {
        using var scope = NewDisposeScope();
        using var pfc = Head(SingleProcessCollectives.Instance);
        var e = Assert.Throws<EmbeddingSizeMismatchException>(() => pfc.call(randn(2, 16, float64), tensor(new[] { 0L, 1L })));
        Assert.Equal("EmbeddingSizeMismatch", e.ErrorId);
        Assert.Equal((8L, 16L), (e.Expected, e.Actual));
        Assert.Contains("length 8", e.Message);
        Assert.Contains("length 16", e.Message);
    }

    [Theory]
    [InlineData(1.5, 10, 8, "InvalidSampleRate", "sample_rate")]
    [InlineData(-0.1, 10, 8, "InvalidSampleRate", "sample_rate")]
    [InlineData(double.NaN, 10, 8, "InvalidSampleRate", "sample_rate")]
    [InlineData(1.0, 0, 8, "InvalidNumClasses", "num_classes")]
    [InlineData(1.0, 10, 0, "InvalidEmbeddingSize", "embedding_size")]
    public void Out_of_range_settings_are_config_errors(double sampleRate, long numClasses, long embeddingSize, string errorId, string key)
    {
        var e = Assert.Throws<HeadConfigurationException>(() => new PartialFC(new CombinedMarginLoss(64, 1, 0.5, 0),
            embeddingSize, numClasses, sampleRate, SingleProcessCollectives.Instance));
        Assert.Equal(errorId, e.ErrorId);
        Assert.Equal(key, e.Key);
    }

    [Fact]
    public void Only_the_centre_weight_is_state()
    {
        using var pfc = Head(SingleProcessCollectives.Instance);
        Assert.Equal(["weight"], pfc.state_dict().Keys);
        Assert.Equal([10L, 8L], pfc.weight.shape);
    }

    [Fact]
    public void Centres_start_from_a_normal_with_std_0_01()
    {
        torch.manual_seed(7);
        using var pfc = new PartialFC(new CombinedMarginLoss(64, 1, 0.5, 0), 512, 2000, 1.0, SingleProcessCollectives.Instance);
        Assert.InRange(pfc.weight.std().item<float>(), 0.0099, 0.0101);
    }

    [Fact]
    public void Without_gradients_the_loss_is_still_computed()
    {
        using var scope = NewDisposeScope();
        using var pfc = Head(SingleProcessCollectives.Instance);
        using var _ = no_grad();
        var loss = pfc.call(randn(3, 8, float64), tensor(new[] { 0L, 4L, 9L }));
        Assert.True(double.IsFinite(loss.item<double>()));
        Assert.False(loss.requires_grad);
    }
}

using InsightFace.Engine.Heads;
using TorchSharp;
using static TorchSharp.torch;

namespace InsightFace.Engine.Tests.Heads;

public class CombinedMarginLossTests
{
    public static TheoryData<double, double, double, double> Margins => new()
    {
        { 64, 1, 0, 0 },      // normalised softmax
        { 64, 1, 0.5, 0 },    // ArcFace
        { 64, 1, 0, 0.35 },   // CosFace (MXNet)
        { 64, 1, 0, 0.4 },    // CosFace (arcface_torch)
        { 64, 1, 0.3, 0.2 },  // combined
        { 30, 1.35, 0.1, 0 }, // a multiplicative margin too
    };

    private static Tensor CrossEntropy(Tensor logits, Tensor labels) => nn.functional.cross_entropy(logits, labels);

    [Theory]
    [MemberData(nameof(Margins))]
    public void Target_logits_follow_the_formula_and_others_are_scaled(double s, double m1, double m2, double m3)
    {
        using var scope = NewDisposeScope();
        using var loss = new CombinedMarginLoss(s, m1, m2, m3);
        var cosines = tensor(new[,] { { 0.3, -0.2, 0.9 }, { -0.7, 0.1, 0.0 } });
        var labels = tensor(new long[] { 2, -1 });
        var logits = loss.call(cosines, labels);
        var expected = cosines.mul(s);
        expected[0, 2] = tensor(s * (Math.Cos(m1 * Math.Acos(0.9) + m2) - m3), float64);
        Assert.True(logits.allclose(expected, rtol: 0, atol: 1e-12));
    }

    [Theory]
    [MemberData(nameof(Margins))]
    public void True_gradient_matches_a_central_finite_difference(double s, double m1, double m2, double m3)
    {
        using var scope = NewDisposeScope();
        using var loss = new CombinedMarginLoss(s, m1, m2, m3);
        var generator = new Generator(11);
        var cosines = rand(4, 5, float64, generator: generator).mul_(1.8).sub_(0.9); // inside (-0.9, 0.9)
        var labels = tensor(new long[] { 0, 4, 2, 4 });
        AssertGradientMatchesFiniteDifference(loss, cosines, labels);
    }

    /// <summary>
    /// Compares autograd's gradient of the mean cross-entropy with a central finite difference in float64, entry by
    /// entry, and returns the analytic gradient.
    /// </summary>
    private static Tensor AssertGradientMatchesFiniteDifference(CombinedMarginLoss loss, Tensor cosines, Tensor labels)
    {
        var input = cosines.clone().requires_grad_();
        CrossEntropy(loss.call(input, labels), labels).backward();
        var analytic = input.grad!;

        const double h = 1e-6;
        for (var i = 0; i < cosines.shape[0]; i++)
        for (var j = 0; j < cosines.shape[1]; j++)
        {
            var plus = cosines.clone();
            plus[i, j] = plus[i, j] + h;
            var minus = cosines.clone();
            minus[i, j] = minus[i, j] - h;
            using var _ = no_grad();
            var numeric = (CrossEntropy(loss.call(plus, labels), labels) - CrossEntropy(loss.call(minus, labels), labels))
                .item<double>() / (2 * h);
            Assert.Equal(numeric, analytic[i, j].item<double>(), 1e-6);
        }
        return analytic;
    }

    [Fact]
    public void Straight_through_ArcFace_passes_the_gradient_as_if_there_were_no_margin()
    {
        using var scope = NewDisposeScope();
        using var loss = new CombinedMarginLoss(64, 1, 0.5, 0, straightThroughArcFace: true);
        var cosines = tensor(new[,] { { 0.3, -0.2, 0.9 }, { -0.7, 0.1, 0.0 } }).requires_grad_();
        var labels = tensor(new long[] { 2, 0 });
        var logits = loss.call(cosines, labels);
        CrossEntropy(logits, labels).backward();

        // By hand: d(mean CE)/d(cos) = s·(softmax(logits) − onehot)/B, with the margin applied in the softmax only.
        using var _ = no_grad();
        var expected = softmax(logits, 1).sub(nn.functional.one_hot(labels, 3).to(float64)).mul(64.0 / 2);
        Assert.True(cosines.grad!.allclose(expected, rtol: 0, atol: 1e-12));
        Assert.Equal(64 * Math.Cos(Math.Acos(0.9) + 0.5), logits[0, 2].item<double>(), 12);
    }

    // ArcFace past θ = π − m2 (cosθ ≤ cos(π − m2) ≈ −0.8776 for m2 = 0.5), by hand: arcface_torch (2022) and MXNet
    // use cosθ − sin(π − m2)·m2 there; above the threshold cos(θ + m2) is unchanged.
    [Theory]
    [InlineData(-1.0)]
    [InlineData(-0.95)]
    [InlineData(-0.8776)] // just below cos(π − 0.5) = −0.87758
    [InlineData(-0.8775)] // just above
    [InlineData(-0.5)]
    public void ArcFace_past_pi_minus_m_falls_back_to_cos_minus_m_sin_m(double cosine)
    {
        using var scope = NewDisposeScope();
        using var loss = new CombinedMarginLoss(64, 1, 0.5, 0);
        var threshold = Math.Cos(Math.PI - 0.5);
        var expected = cosine <= threshold ? cosine - Math.Sin(Math.PI - 0.5) * 0.5 : Math.Cos(Math.Acos(cosine) + 0.5);
        var input = tensor(new[,] { { cosine, 0.2 } }).requires_grad_();
        var logits = loss.call(input, tensor(new long[] { 0 }));
        Assert.Equal(64 * expected, logits[0, 0].item<double>(), 12);

        // The target logit must never fall as the target's cosine rises: past the threshold its slope is s.
        logits[0, 0].backward();
        var slope = input.grad![0, 0].item<double>();
        var expectedSlope = cosine <= threshold ? 64 : 64 * Math.Sin(Math.Acos(cosine) + 0.5) / Math.Sin(Math.Acos(cosine));
        Assert.Equal(expectedSlope, slope, 9);
        Assert.True(slope > 0, $"slope {slope} at cosθ = {cosine}");
    }

    [Fact]
    public void ArcFace_gradient_past_pi_minus_m_matches_a_central_finite_difference()
    {
        using var scope = NewDisposeScope();
        using var loss = new CombinedMarginLoss(64, 1, 0.5, 0);
        // Targets on both sides of cos(π − 0.5) = −0.87758 (farther than the step from it) and deep in the region.
        var cosines = tensor(new[,]
        {
            { -0.99, 0.3, -0.2 },
            { 0.1, -0.88, 0.4 },
            { -0.5, 0.2, -0.875 },
            { -0.93, 0.6, 0.0 },
        });
        var labels = tensor(new long[] { 0, 1, 2, 0 });
        var analytic = AssertGradientMatchesFiniteDifference(loss, cosines, labels);
        // Cross-entropy pulls every target's cosine up: the gradient at each target is negative.
        Assert.True(analytic.gather(1, labels.unsqueeze(1)).lt(0).all().item<bool>());
    }

    [Theory]
    [InlineData(1, 0.3, 0.2)]  // combined: MXNet's combined loss and OneFlow's kernel have no fallback
    [InlineData(1.35, 0.1, 0)] // multiplicative
    public void Combined_margins_keep_the_exact_formula_past_pi(double m1, double m2, double m3)
    {
        using var scope = NewDisposeScope();
        using var loss = new CombinedMarginLoss(64, m1, m2, m3);
        const double cosine = -0.99;
        var logits = loss.call(tensor(new[,] { { cosine, 0.2 } }), tensor(new long[] { 0 }));
        Assert.Equal(64 * (Math.Cos(m1 * Math.Acos(cosine) + m2) - m3), logits[0, 0].item<double>(), 12);
    }

    [Fact]
    public void Straight_through_ArcFace_keeps_cos_theta_plus_m_past_pi_with_a_gradient_of_s()
    {
        using var scope = NewDisposeScope();
        using var loss = new CombinedMarginLoss(64, 1, 0.5, 0, straightThroughArcFace: true);
        var input = tensor(new[,] { { -0.95, 0.2 } }).requires_grad_();
        var logits = loss.call(input, tensor(new long[] { 0 }));
        Assert.Equal(64 * Math.Cos(Math.Acos(-0.95) + 0.5), logits[0, 0].item<double>(), 12);
        logits[0, 0].backward();
        Assert.Equal(64, input.grad![0, 0].item<double>(), 12);
    }

    [Theory]
    [InlineData(1.0)]
    [InlineData(-1.0)]
    public void Cosines_of_exactly_plus_or_minus_one_stay_finite(double edge)
    {
        using var scope = NewDisposeScope();
        foreach (var (m1, m2, m3) in new[] { (1.0, 0.5, 0.0), (1.0, 0.3, 0.2), (1.0, 0.0, 0.4), (1.35, 0.0, 0.0) })
        {
            using var loss = new CombinedMarginLoss(64, m1, m2, m3);
            var cosines = full(3, 6, edge, float32).requires_grad_();
            // Targets in the first and last column, and one row whose target is on another shard.
            var labels = tensor(new long[] { 0, 5, -1 });
            var logits = loss.call(cosines, labels);
            var pureArcFacePastPi = edge == -1 && (m1, m3) == (1.0, 0.0) && m2 > 0;
            var expected = pureArcFacePastPi ? 64 * (edge - Math.Sin(m2) * m2) : 64 * (Math.Cos(m1 * Math.Acos(edge) + m2) - m3);
            Assert.Equal(expected, logits[0, 0].item<float>(), 4);
            Assert.Equal(expected, logits[1, 5].item<float>(), 4);
            Assert.Equal(64 * edge, logits[2, 5].item<float>(), 4);
            logits.sum().backward();
            Assert.True(cosines.grad!.isfinite().all().item<bool>());
        }
    }

    [Fact]
    public void An_embedding_equal_to_its_centre_gets_a_finite_gradient_through_normalisation()
    {
        using var scope = NewDisposeScope();
        using var loss = new CombinedMarginLoss(64, 1, 0.5, 0);
        var embedding = tensor(new[,] { { 0.6, 0.8 } }).requires_grad_();
        var centres = tensor(new[,] { { 3.0, 4.0 }, { -1.0, 0.0 } }).requires_grad_();
        var cosines = nn.functional.normalize(embedding, 2, 1).matmul(nn.functional.normalize(centres, 2, 1).t()).clamp(-1, 1);
        var labels = tensor(new long[] { 0 });
        CrossEntropy(loss.call(cosines, labels), labels).backward();
        Assert.True(embedding.grad!.isfinite().all().item<bool>());
        Assert.True(centres.grad!.isfinite().all().item<bool>());
    }

    [Fact]
    public void Plain_softmax_leaves_logits_as_they_are()
    {
        using var scope = NewDisposeScope();
        using var loss = CombinedMarginLoss.PlainSoftmax();
        Assert.False(loss.NormalizesInputs);
        var logits = tensor(new[,] { { 3.5, -7.0 } });
        Assert.True(loss.call(logits, tensor(new long[] { 1 })).allclose(logits, rtol: 0, atol: 0));
    }

    [Fact]
    public void Interclass_filtering_zeroes_other_classes_above_the_threshold_in_every_row_and_keeps_targets()
    {
        using var scope = NewDisposeScope();
        using var loss = new CombinedMarginLoss(64, 1, 0.5, 0, interclassFilteringThreshold: 0.4);
        var cosines = tensor(new[,] { { 0.3, 0.5, 0.9, -0.6 }, { 0.45, 0.1, 0.41, 0.2 }, { 0.7, 0.2, -0.1, 0.39 } });
        var labels = tensor(new long[] { 2, 0, -1 }); // the last row's target is on another shard
        var logits = loss.call(cosines, labels);

        // By hand: 0.5, 0.41 and 0.7 are other classes above 0.4 and count as cosine 0; the targets 0.9 and 0.45
        // (above the threshold too) get the ArcFace margin; 0.39 stays.
        var arc = (double c) => 64 * Math.Cos(Math.Acos(c) + 0.5);
        var expected = new[,]
        {
            { 64 * 0.3, 0, arc(0.9), 64 * -0.6 },
            { arc(0.45), 64 * 0.1, 0, 64 * 0.2 },
            { 0, 64 * 0.2, 64 * -0.1, 64 * 0.39 },
        };
        Assert.True(logits.allclose(tensor(expected), rtol: 0, atol: 1e-12), string.Join(", ", logits.data<double>().ToArray()));
    }

    [Fact]
    public void Interclass_filtering_passes_no_gradient_to_filtered_cosines_and_the_true_one_elsewhere()
    {
        using var scope = NewDisposeScope();
        using var loss = new CombinedMarginLoss(64, 1, 0.5, 0, interclassFilteringThreshold: 0.4);
        var generator = new Generator(5);
        var cosines = rand(4, 6, float64, generator: generator).mul_(1.8).sub_(0.9);
        var labels = tensor(new long[] { 0, 5, 2, 5 });

        var analytic = AssertGradientMatchesFiniteDifference(loss, cosines, labels);

        var filtered = cosines.gt(0.4).logical_and(nn.functional.one_hot(labels, 6).eq(0));
        Assert.True(analytic.masked_select(filtered).eq(0).all().item<bool>());
        var count = filtered.sum().item<long>();
        Assert.InRange(count, 3, 24); // the check above did see filtered entries
    }

    [Theory]
    [InlineData(-0.1)]
    [InlineData(1.5)]
    [InlineData(double.NaN)]
    public void A_filtering_threshold_that_is_not_a_cosine_is_a_config_error(double threshold)
    {
        var e = Assert.Throws<HeadConfigurationException>(() => new CombinedMarginLoss(64, 1, 0.5, 0, interclassFilteringThreshold: threshold));
        Assert.Equal("InvalidFilteringThreshold", e.ErrorId);
        Assert.Contains("interclass_filtering_threshold", e.Message);
    }

    [Theory]
    [InlineData(64, 0, 0.5, 0)]     // m1 = 0: no angle dependence
    [InlineData(64, -1, 0.5, 0)]
    [InlineData(64, 1, -0.1, 0)]
    [InlineData(64, 1, 3.2, 0)]     // m2 ≥ π
    [InlineData(64, 1, 0, 2.5)]     // target below every other logit
    [InlineData(64, 1, 0, -0.4)]
    [InlineData(0, 1, 0.5, 0)]
    [InlineData(64, 1, double.NaN, 0)]
    public void Margins_with_no_valid_angle_are_config_errors(double s, double m1, double m2, double m3)
    {
        var e = Assert.Throws<HeadConfigurationException>(() => new CombinedMarginLoss(s, m1, m2, m3));
        Assert.Equal("InvalidMargin", e.ErrorId);
    }
}

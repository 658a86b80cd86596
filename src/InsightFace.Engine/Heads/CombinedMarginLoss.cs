using InsightFace.Engine.Runtime;
using TorchSharp;
using static TorchSharp.torch;

namespace InsightFace.Engine.Heads;

/// <summary>
/// The combined margin of InsightFace: for the target class the logit becomes s·(cos(m1·θ + m2) − m3) with
/// cosθ the input, every other logit s·cosθ. (1,0,0) is normalised softmax, (1,0.5,0) ArcFace, (1,0,0.35 or 0.4)
/// CosFace, (1,0.3,0.2) the combined margin; <see cref="PlainSoftmax"/> is the un-normalised classifier.
/// </summary>
/// <remarks>
/// <para>
/// The gradient is the true one by default (MXNet, OneFlow, arcface_torch before December 2022):
/// ∂target/∂cosθ = s·m1·sin(m1θ + m2)/sinθ. With <c>straightThroughArcFace</c> it is s, as in arcface_torch
/// since commit 657ae30e, which applies the angular margin under no_grad.
/// </para>
/// <para>
/// Past θ = π − m2, cos(θ + m2) rises again as θ grows, so with the true gradient the target would be pushed away
/// from its class. For ArcFace (m1 = 1, m3 = 0, m2 &gt; 0) with the true gradient, the target logit is therefore
/// cosθ − sin(π − m2)·m2, with gradient s, where cosθ ≤ cos(π − m2): the <c>easy_margin = False</c> branch of
/// arcface_torch (January to December 2022) and of MXNet's ArcFace loss. Combined margins (m1 ≠ 1 or m3 ≠ 0) keep
/// the exact formula everywhere, as MXNet's combined loss and OneFlow's kernel do (arcface_torch refuses them), and
/// so does the straight-through gradient, as in arcface_torch today: its gradient never changes sign.
/// </para>
/// <para>
/// The true derivative is unbounded at θ = 0 and θ = π when m2 ≠ 0, so it is evaluated at θ clamped to
/// [1e-6, π − 1e-6]: finite, and equal to the exact value anywhere float32 can tell θ from 0 or π.
/// </para>
/// <para>
/// Inter-class filtering (the Partial FC paper, CVPR 2022; arcface_torch's <c>interclass_filtering_threshold</c>)
/// sets every cosine above the threshold to 0, with no gradient, except each row's own target, before the margin:
/// a negative class that close is more likely the same person under another label than a hard negative.
/// As in arcface_torch this applies to every row, including rows whose target is on another shard.
/// </para>
/// </remarks>
public sealed class CombinedMarginLoss : nn.Module<Tensor, Tensor, Tensor>
{
    private const double AngleGuard = 1e-6;

    /// <summary>
    /// Creates the margin with scale <paramref name="s"/> and margins (<paramref name="m1"/>, <paramref name="m2"/>,
    /// <paramref name="m3"/>), arcface_torch's <c>margin_list</c>.
    /// <paramref name="interclassFilteringThreshold"/> above 0 turns inter-class filtering on.
    /// </summary>
    /// <exception cref="HeadConfigurationException">
    /// The margins give no valid target angle: s ≤ 0, m1 ≤ 0, m2 outside [0, π), m3 outside [0, 2), or a value
    /// that is not finite; or the filtering threshold is outside [0, 1].
    /// </exception>
    public CombinedMarginLoss(double s, double m1, double m2, double m3, bool straightThroughArcFace = false,
        double interclassFilteringThreshold = 0)
        : this(s, m1, m2, m3, straightThroughArcFace, normalizesInputs: true)
    {
        if (!(interclassFilteringThreshold is >= 0 and <= 1))
            throw new HeadConfigurationException(ErrorIds.InvalidFilteringThreshold, "interclass_filtering_threshold",
                $"interclass_filtering_threshold must be a cosine in [0, 1] (0 turns filtering off), got {interclassFilteringThreshold}.");
        InterclassFilteringThreshold = interclassFilteringThreshold;
        if (!double.IsFinite(s) || s <= 0)
            throw new HeadConfigurationException(ErrorIds.InvalidMargin, "s", $"The scale s must be positive and finite, got {s}.");
        if (!double.IsFinite(m1) || !double.IsFinite(m2) || !double.IsFinite(m3) ||
            m1 <= 0 || m2 < 0 || m2 >= Math.PI || m3 < 0 || m3 >= 2)
            throw new HeadConfigurationException(ErrorIds.InvalidMargin, "margin_list",
                $"margin_list ({m1}, {m2}, {m3}) gives no valid target angle: m1·θ + m2 must be an angle in [0, π) " +
                "at θ = 0 with m1 > 0, and m3 must be in [0, 2), or every target logit lies below every other.");
    }

    private CombinedMarginLoss(double s, double m1, double m2, double m3, bool straightThroughArcFace, bool normalizesInputs)
        : base(nameof(CombinedMarginLoss))
    {
        Scale = s;
        M1 = m1;
        M2 = m2;
        M3 = m3;
        StraightThroughArcFace = straightThroughArcFace;
        NormalizesInputs = normalizesInputs;
    }

    /// <summary>
    /// Plain softmax: logits are the un-normalised products of embeddings and class centres, with no scale or
    /// margin (MXNet's <c>softmax</c> loss with <c>fc7_no_bias</c>).
    /// </summary>
    public static CombinedMarginLoss PlainSoftmax() => new(1, 1, 0, 0, false, normalizesInputs: false);

    /// <summary>The scale s.</summary>
    public double Scale { get; }

    /// <summary>The multiplicative angular margin m1.</summary>
    public double M1 { get; }

    /// <summary>The additive angular margin m2 (ArcFace).</summary>
    public double M2 { get; }

    /// <summary>The additive cosine margin m3 (CosFace).</summary>
    public double M3 { get; }

    /// <summary>True to back-propagate through the angular margin as if it were absent (arcface_torch since Dec 2022).</summary>
    public bool StraightThroughArcFace { get; }

    /// <summary>Cosines of other classes above this are set to 0 before the margin; 0 turns filtering off.</summary>
    public double InterclassFilteringThreshold { get; }

    /// <summary>
    /// True when the inputs are cosines, so the head must L2-normalise embeddings and centres and clamp to [−1, 1];
    /// false for <see cref="PlainSoftmax"/>.
    /// </summary>
    public bool NormalizesInputs { get; }

    private bool HasAngularMargin => M1 != 1 || M2 != 0;

    // Exactly where the references that have the fallback apply it: plain ArcFace with the true gradient.
    private bool FallsBackPastPi => !StraightThroughArcFace && M1 == 1 && M2 > 0 && M3 == 0;

    /// <summary>
    /// Applies the margin. <paramref name="cosines"/> is B×C; <paramref name="labels"/> holds one column index per
    /// row, or −1 for a row whose target class is not among these C columns (another shard's). Returns new logits.
    /// </summary>
    public override Tensor forward(Tensor cosines, Tensor labels)
    {
        if (!NormalizesInputs) return cosines.alias();
        using var scope = NewDisposeScope();
        using var scale = Scale.ToScalar();
        if (cosines.shape[1] == 0) return scope.MoveToOuter(cosines.mul(scale));

        using var m3 = M3.ToScalar();
        var hasTarget = labels.ge(Scalars.Zero).unsqueeze(1);
        var column = labels.clamp_min(Scalars.Zero).unsqueeze(1);
        var target = cosines.gather(1, column).clamp(Scalars.MinusOne, Scalars.One);
        var marked = (HasAngularMargin ? AngularMargin(target) : target).sub(m3);
        var isTarget = zeros_like(cosines, dtype: ScalarType.Bool).scatter_(1, column, hasTarget);
        Tensor others = cosines;
        if (InterclassFilteringThreshold > 0)
        {
            using var threshold = InterclassFilteringThreshold.ToScalar();
            others = where(cosines.gt(threshold).logical_and_(isTarget.logical_not()), zeros_like(cosines), cosines);
        }
        var logits = where(isTarget, marked.expand_as(cosines), others).mul_(scale);
        return scope.MoveToOuter(logits);
    }

    // cos(m1·θ + m2), or the fallback past θ = π − m2, as a value, with the chosen derivative attached by a first-order term that is exactly zero
    // in the forward pass: value + g·(c − c.detach()).
    private Tensor AngularMargin(Tensor cosine)
    {
        using var m1 = M1.ToScalar();
        using var m2 = M2.ToScalar();
        var c = cosine.detach();
        var theta = c.acos();
        var value = theta.mul(m1).add_(m2, Scalars.One).cos_();
        var slope = StraightThroughArcFace ? ones_like(c) : DerivativeAt(theta);
        if (FallsBackPastPi)
        {
            using var threshold = Math.Cos(Math.PI - M2).ToScalar();
            using var shift = (Math.Sin(Math.PI - M2) * M2).ToScalar();
            var pastPi = c.le(threshold);
            value = where(pastPi, c.sub(shift), value);
            slope = where(pastPi, ones_like(c), slope);
        }
        return value.add(slope.mul(cosine.sub(c)), Scalars.One);
    }

    private Tensor DerivativeAt(Tensor theta)
    {
        using var m1 = M1.ToScalar();
        using var m2 = M2.ToScalar();
        using var low = AngleGuard.ToScalar();
        using var high = (Math.PI - AngleGuard).ToScalar();
        var guarded = theta.clamp(low, high);
        return guarded.mul(m1).add_(m2, Scalars.One).sin_().mul_(m1).div_(guarded.sin());
    }
}

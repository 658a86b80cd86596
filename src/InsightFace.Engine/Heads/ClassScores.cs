using TorchSharp;
using InsightFace.Engine.Runtime;
using static TorchSharp.torch;

namespace InsightFace.Engine.Heads;

/// <summary>
/// The B×c scores of embeddings against class centres, with their backward pass written out: cosines of the
/// L2-normalised vectors clamped to [−1, 1] (as <c>F.normalize</c>, eps 1e-12), or plain dot products.
/// </summary>
/// <remarks>
/// Autograd's backward through <c>normalize</c> keeps several c×E temporaries; with a million centres each is
/// 2 GB. Written out, the centre gradient is computed in place in one c×E buffer.
/// </remarks>
internal sealed class ClassScores
{
    private const double NormEps = 1e-12;

    private readonly Tensor embeddings;
    private readonly Tensor centres;
    private readonly Tensor? embeddingNorms;
    private readonly Tensor? centreNorms;
    private readonly Tensor? unclamped;

    /// <summary>Scores <paramref name="embeddings"/> (B×E) against <paramref name="centres"/> (c×E); neither records autograd.</summary>
    public ClassScores(Tensor embeddings, Tensor centres, bool normalize)
    {
        if (!normalize)
        {
            this.embeddings = embeddings;
            this.centres = centres;
            Scores = embeddings.matmul(centres.t());
            return;
        }
        using var eps = NormEps.ToScalar();
        embeddingNorms = embeddings.norm(1, keepdim: true).clamp_min_(eps);
        centreNorms = centres.norm(1, keepdim: true).clamp_min_(eps);
        this.embeddings = embeddings.div(embeddingNorms);
        this.centres = centres.div(centreNorms);
        unclamped = this.embeddings.matmul(this.centres.t());
        Scores = unclamped.clamp(Scalars.MinusOne, Scalars.One);
    }

    /// <summary>The B×c scores.</summary>
    public Tensor Scores { get; }

    /// <summary>The gradients with respect to the embeddings and the centres, given that of the scores.</summary>
    public (Tensor Embeddings, Tensor Centres) Backward(Tensor scoreGradient)
    {
        // Clamping passes the gradient only where the cosine was inside [−1, 1], as autograd's clamp does.
        if (unclamped is not null)
            scoreGradient = scoreGradient.mul(unclamped.ge(Scalars.MinusOne).logical_and_(unclamped.le(Scalars.One)));
        var embeddingGradient = scoreGradient.matmul(centres);
        var centreGradient = scoreGradient.t().matmul(embeddings);
        if (embeddingNorms is null || centreNorms is null) return (embeddingGradient, centreGradient);
        return (ThroughNormalize(embeddingGradient, embeddings, embeddingNorms),
            ThroughNormalize(centreGradient, centres, centreNorms));
    }

    // For u = x/‖x‖: ∂L/∂x = (∂L/∂u − u·⟨u, ∂L/∂u⟩)/‖x‖, computed in place in the gradient's buffer.
    private static Tensor ThroughNormalize(Tensor unitGradient, Tensor unit, Tensor norms)
    {
        var along = unit.unsqueeze(1).bmm(unitGradient.unsqueeze(2)).view(-1, 1);
        return unitGradient.addcmul_(unit, along, value: Scalars.MinusOne).div_(norms);
    }
}

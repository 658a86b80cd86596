using TorchSharp;
using static TorchSharp.torch;

namespace InsightFace.Engine.Backbones;

/// <summary>
/// Whether libtorch's channels_last kernels give NCHW's values for a backbone on this CPU. On an AMD EPYC of family 26
/// (Zen 5, AVX-512), libtorch 2.10 computes a 1×1 convolution of a 4×256×7×7 batch to 512 channels 47% off in
/// channels_last, and training-mode passes of a whole MobileFaceNet or ResNet-50 12–63% off at every batch size from 4
/// to 128, while NCHW agrees with float64. Which kernels libtorch picks depends on the shapes, so the check runs the
/// backbone the run trains, at the run's batch size.
/// </summary>
public static class ChannelsLastCheck
{
    /// <summary>
    /// How far channels_last's results lie from NCHW's, each as ‖Δ‖/‖NCHW‖ (Euclidean norms): of the embeddings, and of
    /// all gradients together.
    /// </summary>
    /// <param name="Embeddings">Relative difference of the embeddings.</param>
    /// <param name="Gradients">Relative difference of every parameter's gradient, flattened into one vector.</param>
    public sealed record Difference(double Embeddings, double Gradients)
    {
        /// <summary>
        /// True when both are within float32 rounding: against a float64 pass, NCHW in float32 was 5e-6 to 2e-5 off
        /// in the embeddings and 1e-5 to 6e-3 in the gradients (MobileFaceNet, ResNet-18 and -50, batch 4 to 64),
        /// the wrong kernels more than 1e-1 in both.
        /// </summary>
        public bool IsRounding => Embeddings <= EmbeddingTolerance && Gradients <= GradientTolerance;
    }

    /// <summary>The largest <see cref="Difference.Embeddings"/> taken for rounding.</summary>
    public const double EmbeddingTolerance = 1e-3;

    /// <summary>The largest <see cref="Difference.Gradients"/> taken for rounding.</summary>
    public const double GradientTolerance = 3e-2;

    /// <summary>
    /// Compares one training-mode forward and backward pass of a new <paramref name="network"/> over
    /// <paramref name="batchSize"/> fixed images (at least 2, which batch normalisation needs in training) in NCHW
    /// with the same pass in channels_last.
    /// </summary>
    /// <remarks>
    /// Takes about as long as two training steps. The new backbone's weights are drawn from torch's generator, whose
    /// state is restored afterwards, so a run seeded before the check draws the same numbers as without it.
    /// </remarks>
    public static Difference Compare(string network, BackboneOptions options, int batchSize)
    {
        using var scope = NewDisposeScope();
        var generatorState = get_rng_state();
        Backbone backbone;
        try
        {
            // No dropout: it would draw different masks in the two passes.
            backbone = BackboneRegistry.Create(network, options with { Dropout = 0 });
        }
        finally
        {
            set_rng_state(generatorState);
        }
        using (backbone)
        {
            backbone.train();
            var device = options.Device ?? CPU;
            var dtype = options.DType ?? ScalarType.Float32;
            var batch = Math.Max(batchSize, 2);
            var images = tensor(Values(batch * 3 * 112 * 112, i => MathF.Sin(0.37f * i)), [batch, 3, 112, 112])
                .to(dtype, device);
            var (nchwEmbeddings, nchwGradients) = Pass(backbone, images, MemoryFormat.Contiguous);
            var (embeddings, gradients) = Pass(backbone, images, MemoryFormat.ChannelsLast);
            return new Difference(RelativeDifference(embeddings, nchwEmbeddings), RelativeDifference(gradients, nchwGradients));
        }
    }

    // The embeddings and every parameter's gradient, flattened into one vector, of a pass whose loss weighs each
    // embedding value by a fixed number.
    private static (Tensor Embeddings, Tensor Gradients) Pass(Backbone backbone, Tensor images, string format)
    {
        backbone.zero_grad(set_to_none: true);
        MemoryFormat.Apply(backbone, format);
        var embeddings = backbone.forward(MemoryFormat.To(images, format));
        var weights = tensor(Values((int)embeddings.numel(), i => MathF.Cos(0.11f * i)), embeddings.shape)
            .to(embeddings.dtype, embeddings.device);
        embeddings.mul(weights).sum().backward();
        var gradients = cat(backbone.parameters().Where(p => p.grad is not null).Select(p => p.grad!.flatten()).ToList());
        return (embeddings.detach(), gradients);
    }

    private static double RelativeDifference(Tensor actual, Tensor expected)
    {
        var actual64 = actual.to(ScalarType.Float64);
        var expected64 = expected.to(ScalarType.Float64);
        return actual64.sub(expected64).norm().item<double>() / Math.Max(expected64.norm().item<double>(), double.Epsilon);
    }

    private static float[] Values(int count, Func<int, float> value) => Enumerable.Range(0, count).Select(value).ToArray();
}

using InsightFace.Engine.Data.Imaging;
using InsightFace.Engine.Evaluation;
using InsightFace.Engine.Tests.Data.Imaging;
using TorchSharp;
using static TorchSharp.torch;

namespace InsightFace.Engine.Tests.Evaluation;

[Collection("Sequential")]
public class TorchModuleEmbedderTests
{
    /// <summary>Channel means, recording the grad mode and training flag it ran under.</summary>
    private sealed class Probe() : nn.Module<Tensor, Tensor>("probe")
    {
        public bool? GradEnabled { get; private set; }
        public bool? Training { get; private set; }
        public ScalarType? InputType { get; private set; }

        public override Tensor forward(Tensor input)
        {
            GradEnabled = is_grad_enabled();
            Training = training;
            InputType = input.dtype;
            return input.mean([2, 3]);
        }
    }

    [Fact]
    public void A_module_embeds_in_eval_mode_without_grad()
    {
        var probe = new Probe();
        probe.train();
        var embedder = new TorchModuleEmbedder(probe, "probe");

        var result = embedder.Embed(OnnxFaceEmbedderTests.Batch(embedder.InputTransform, 3), 3);

        Assert.False(probe.GradEnabled);
        Assert.False(probe.Training);
        Assert.True(is_grad_enabled());
        Assert.True(probe.training); // handed back in training mode, as arcface_torch's callback does
        var expected = TestImages.ChannelMeans(127.5, 127.5, bgr: false);
        for (var n = 0; n < 3; n++)
            for (var c = 0; c < 3; c++) Assert.Equal(expected[c], result[n, c], 5);
    }

    [Fact]
    public void A_sequential_backbone_in_float64_gives_the_same_embedding()
    {
        using var module = nn.Sequential(nn.AdaptiveAvgPool2d(1), nn.Flatten());
        module.to(ScalarType.Float64);
        var embedder = new TorchModuleEmbedder(module, "pool", CPU, ScalarType.Float64);

        var result = embedder.Embed(OnnxFaceEmbedderTests.Batch(embedder.InputTransform, 2), 2);

        var expected = TestImages.ChannelMeans(127.5, 127.5, bgr: false);
        for (var c = 0; c < 3; c++) Assert.Equal(expected[c], result[1, c], 6);
    }

    [Fact]
    public void Tensors_of_a_batch_do_not_outlive_it()
    {
        using var module = nn.Sequential(nn.AdaptiveAvgPool2d(1), nn.Flatten());
        var embedder = new TorchModuleEmbedder(module, "pool");
        var images = OnnxFaceEmbedderTests.Batch(embedder.InputTransform, 4);
        embedder.Embed(images, 4);

        using var outer = NewDisposeScope();
        embedder.Embed(images, 4);
        Assert.Equal(0, outer.DisposablesCount);
    }

    [Fact]
    public void An_output_that_is_not_2d_is_an_error()
    {
        using var module = nn.Sequential(nn.AdaptiveAvgPool2d(1));
        var embedder = new TorchModuleEmbedder(module, "pool only");
        var e = Assert.Throws<EvaluationException>(() => embedder.Embed(OnnxFaceEmbedderTests.Batch(FaceImageTransform.ArcFace, 2), 2));
        Assert.Equal(ErrorIds.EmbeddingShapeInvalid, e.ErrorId);
        Assert.Contains("pool only returned a [2, 3, 1, 1] tensor for 2 images", e.Message);
    }
}

using InsightFace.Engine.Data.Imaging;
using InsightFace.Engine.Data.Verification;
using InsightFace.Engine.Evaluation;
using InsightFace.Engine.Tests.Data.Imaging;

namespace InsightFace.Engine.Tests.Evaluation;

public sealed class OnnxFaceEmbedderTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("insightface-onnx-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string Save(byte[] model, string name = "model.onnx")
    {
        var path = Path.Combine(_dir, name);
        File.WriteAllBytes(path, model);
        return path;
    }

    /// <summary>ONNX Runtime sums the 12,544 pixels in float32, hence comparisons to 1e-4.</summary>
    private static double[] ExpectedMeans(double mean, double std, bool bgr) => TestImages.ChannelMeans(mean, std, bgr);

    internal static float[] Batch(FaceImageTransform transform, int copies)
    {
        var decoder = new FaceImageDecoder();
        var images = new float[copies * FaceInput.Floats + 17]; // longer than needed, as the runner's buffers are
        var png = TestImages.Png();
        for (var i = 0; i < copies; i++) decoder.DecodeChw(png, transform, images.AsSpan(i * FaceInput.Floats, FaceInput.Floats), flip: i % 2 == 1);
        return images;
    }

    [Fact]
    public void A_dynamic_batch_model_embeds_with_insightfaces_default_normalisation()
    {
        using var embedder = new OnnxFaceEmbedder(Save(TinyOnnx.ChannelMeans()));

        Assert.Null(embedder.FixedBatch);
        Assert.False(embedder.GraphNormalisesInput);
        Assert.Equal((127.5f, 127.5f, ChannelOrder.Rgb), (embedder.InputTransform.Mean, embedder.InputTransform.Std, embedder.InputTransform.Order));
        var result = embedder.Embed(Batch(embedder.InputTransform, 3), 3);

        Assert.Equal([3, 3], new[] { result.GetLength(0), result.GetLength(1) });
        var expected = ExpectedMeans(127.5, 127.5, bgr: false);
        for (var n = 0; n < 3; n++)
            for (var c = 0; c < 3; c++) Assert.Equal(expected[c], result[n, c], 4);
    }

    [Fact]
    public void Mean_std_and_channel_order_options_are_applied()
    {
        using var embedder = new OnnxFaceEmbedder(Save(TinyOnnx.ChannelMeans()),
            new OnnxEmbedderOptions { InputMean = 100, InputStd = 50, ChannelOrder = ChannelOrder.Bgr });

        var result = embedder.Embed(Batch(embedder.InputTransform, 1), 1);

        var expected = ExpectedMeans(100, 50, bgr: true);
        for (var c = 0; c < 3; c++) Assert.Equal(expected[c], result[0, c], 4);
    }

    [Fact]
    public void A_graph_starting_with_sub_and_mul_gets_raw_pixels_as_insightface_feeds_it()
    {
        using var embedder = new OnnxFaceEmbedder(Save(TinyOnnx.ChannelMeans(mxnetNormalisation: true)));

        Assert.True(embedder.GraphNormalisesInput);
        Assert.Equal((0f, 1f), (embedder.InputTransform.Mean, embedder.InputTransform.Std));
        var result = embedder.Embed(Batch(embedder.InputTransform, 2), 2);

        // The graph applies its own (x − 127.5) · 0.0078125 (1/128, MXNet's constant) to the raw pixels.
        var expected = ExpectedMeans(127.5, 128, bgr: false);
        for (var c = 0; c < 3; c++) Assert.Equal(expected[c], result[1, c], 4);
    }

    [Fact]
    public void A_fixed_batch_of_one_is_fed_one_image_at_a_time()
    {
        using var embedder = new OnnxFaceEmbedder(Save(TinyOnnx.ChannelMeans(batch: "1")));

        Assert.Equal(1, embedder.FixedBatch);
        var result = embedder.Embed(Batch(embedder.InputTransform, 5), 5);

        Assert.Equal(5, result.GetLength(0));
        var expected = ExpectedMeans(127.5, 127.5, bgr: false);
        for (var n = 0; n < 5; n++) Assert.Equal(expected[2], result[n, 2], 4);
    }

    [Fact]
    public void A_fixed_batch_larger_than_the_rest_is_padded()
    {
        using var embedder = new OnnxFaceEmbedder(Save(TinyOnnx.ChannelMeans(batch: "4")));
        var result = embedder.Embed(Batch(embedder.InputTransform, 6), 6);
        Assert.Equal(6, result.GetLength(0));
        Assert.Equal(result[0, 1], result[5, 1], 6);
    }

    [Fact]
    public void An_input_that_is_not_3x112x112_is_an_error_naming_the_shapes()
    {
        var path = Save(TinyOnnx.ChannelMeans(size: 64));
        var e = Assert.Throws<EvaluationException>(() => new OnnxFaceEmbedder(path));
        Assert.Equal(ErrorIds.OnnxInputShapeUnsupported, e.ErrorId);
        Assert.Contains(path, e.Message);
        Assert.Contains("input 'data' is float [N, 3, 64, 64]; expected float [N, 3, 112, 112]", e.Message);
    }

    [Fact]
    public void An_output_that_is_not_2d_is_an_error_naming_the_shapes()
    {
        var path = Save(TinyOnnx.ChannelMeans(flatten: false));
        var e = Assert.Throws<EvaluationException>(() => new OnnxFaceEmbedder(path));
        Assert.Equal(ErrorIds.OnnxOutputShapeUnsupported, e.ErrorId);
        Assert.Contains("output 'pooled' is float [N, 3, 1, 1]; expected a 2-D float embedding [N, E]", e.Message);
    }

    [Fact]
    public void The_runner_verifies_a_set_through_onnx_runtime()
    {
        // Different colours per pair member make distinct embeddings; 10 pairs, the minimum for 10 folds.
        var images = Enumerable.Range(0, 20)
            .Select(i => TestImages.Png(colour: (x, y) => ((byte)(i * 12), (byte)(x + i), (byte)(y * 2)))).ToArray();
        var set = new VerificationSet(images, Enumerable.Range(0, 10).Select(i => i % 2 == 0).ToArray());
        using var embedder = new OnnxFaceEmbedder(Save(TinyOnnx.ChannelMeans(batch: "1")));

        var result = new VerificationRunner(embedder, new VerificationOptions { BatchSize = 3 }).Run("colours", set);

        Assert.Equal("model.onnx", result.Model);
        Assert.Equal(10, result.Pairs);
        Assert.InRange(result.Accuracy, 0, 1);
        Assert.True(result.XNorm > 0);
    }
}

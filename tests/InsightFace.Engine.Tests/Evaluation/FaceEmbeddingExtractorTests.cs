using InsightFace.Engine.Evaluation;
using InsightFace.Engine.Tests.Data.Imaging;

namespace InsightFace.Engine.Tests.Evaluation;

public class FaceEmbeddingExtractorTests
{
    [Fact]
    public void Each_image_gets_its_embedding_in_order_across_batches()
    {
        // A left-to-right ramp in red: quadrant means differ left and right, so order and flips are visible.
        var images = Enumerable.Range(0, 5).Select(i => TestImages.Png(colour: (x, _) => ((byte)(x + i * 10), 0, 0))).ToArray();

        var plain = new FaceEmbeddingExtractor(new QuadrantMeanEmbedder(), batchSize: 2).Embed(images);
        var flipped = new FaceEmbeddingExtractor(new QuadrantMeanEmbedder(), batchSize: 2, flip: true).Embed(images);

        Assert.Equal(5, plain.Count);
        for (var i = 0; i < 5; i++)
        {
            // Red, top-left quadrant: columns 0–55 hold x + 10i, normalised (the stand-in sums in float32).
            var expectedLeft = Enumerable.Range(0, 56).Average(x => (x + 10 * i - 127.5) / 127.5);
            var expectedRight = Enumerable.Range(56, 56).Average(x => (x + 10 * i - 127.5) / 127.5);
            Assert.Equal(expectedLeft, plain[i][0], 4);
            Assert.Equal(expectedRight, plain[i][1], 4);
            // With flipping, each quadrant gets its mirror image's value added: left + right on both sides.
            Assert.Equal(expectedLeft + expectedRight, flipped[i][0], 4);
            Assert.Equal(expectedLeft + expectedRight, flipped[i][1], 4);
        }
    }

    [Fact]
    public void An_image_that_does_not_decode_names_its_index()
    {
        var images = new[] { TestImages.Png(), "junk"u8.ToArray() };
        var e = Assert.Throws<EvaluationException>(() => new FaceEmbeddingExtractor(new QuadrantMeanEmbedder()).Embed(images));
        Assert.Equal(ErrorIds.VerificationImageInvalid, e.ErrorId);
        Assert.StartsWith("Image 1 does not decode", e.Message);
    }

    [Theory]
    [InlineData(new float[] { 1, 0 }, new float[] { 0, 2 }, 0)]
    [InlineData(new float[] { 3, 4 }, new float[] { 6, 8 }, 1)]
    [InlineData(new float[] { 1, 1 }, new float[] { -1, 0 }, -0.70710678118654746)]
    [InlineData(new float[] { 0, 0 }, new float[] { 1, 0 }, 0)]
    public void Cosine_similarity_matches_its_closed_form(float[] a, float[] b, double expected)
    {
        Assert.Equal(expected, FaceEmbeddingExtractor.CosineSimilarity(a, b), 12);
    }
}

using InsightFace.Engine.Data.Verification;
using InsightFace.Engine.Evaluation;
using InsightFace.Engine.Tests.Data.Verification;
using InsightFace.Engine.Tests.Support;
using SkiaSharp;

namespace InsightFace.Engine.Tests.Evaluation;

public class VerificationRunnerTests
{
    private static VerificationSet OrlSet(int pairs = 20) => VerificationSetBuilder.FromPairs(FaceFixtures.Pairs(pairs));

    [FixtureFact(FaceFixtures.Orl)]
    public void Real_faces_give_the_protocol_numbers_of_an_independent_computation()
    {
        var set = OrlSet();
        foreach (var flip in new[] { true, false })
        {
            var result = new VerificationRunner(new QuadrantMeanEmbedder(), new VerificationOptions { BatchSize = 7, Flip = flip })
                .Run("orl", set);

            var (distances, xnorm) = Expected(set, flip);
            var metrics = VerificationMetrics.Evaluate(distances, set.IsSame.ToArray());
            Assert.Equal("orl", result.Target);
            Assert.Equal(20, result.Pairs);
            Assert.Equal(flip, result.Flip);
            Assert.Equal("quadrant means", result.Model);
            Assert.Equal(xnorm, result.XNorm, 5);
            Assert.Equal(metrics.Accuracy, result.Accuracy);
            Assert.Equal(metrics.AccuracyStd, result.AccuracyStd);
            Assert.Equal(metrics.Threshold, result.Threshold);
            Assert.Equal(metrics.TarAtFar, result.TarAtFar);
            Assert.Equal(metrics.Far, result.Far);
        }
    }

    [FixtureFact(FaceFixtures.Orl)]
    public void Batch_size_does_not_change_the_result_and_buffers_are_reused()
    {
        var set = OrlSet();
        VerificationResult? first = null;
        foreach (var batch in new[] { 1, 7, 64 })
        {
            var embedder = new QuadrantMeanEmbedder();
            var result = new VerificationRunner(embedder, new VerificationOptions { BatchSize = batch, PrefetchBatches = 2 }).Run("orl", set);
            first ??= result;
            Assert.Equal(first.Accuracy, result.Accuracy);
            Assert.Equal(first.XNorm, result.XNorm, 6);
            Assert.Equal(first.Metrics.FoldThresholds, result.Metrics.FoldThresholds);
            // Three batch buffers (original + mirrored arrays each), however many batches the set needs.
            Assert.Equal(2 * (int)Math.Ceiling(40.0 / batch), embedder.Calls);
            Assert.True(embedder.Buffers.Count <= 6, $"{embedder.Buffers.Count} distinct buffers");
        }
    }

    [FixtureFact(FaceFixtures.Orl)]
    public void An_image_that_does_not_decode_names_its_index_and_pair()
    {
        var set = OrlSet();
        var images = set.Images.ToArray();
        images[5] = images[5][..100];
        var broken = new VerificationSet(images, set.IsSame);

        var e = Assert.Throws<EvaluationException>(() =>
            new VerificationRunner(new QuadrantMeanEmbedder(), new VerificationOptions { BatchSize = 4 }).Run("orl", broken));

        Assert.Equal(ErrorIds.VerificationImageInvalid, e.ErrorId);
        Assert.Contains("'orl': image 5 (pair 2, second image) does not decode", e.Message);
    }

    [Fact]
    public void Fewer_pairs_than_folds_is_an_error()
    {
        var set = new VerificationSet(Enumerable.Repeat(new byte[] { 1 }, 18).ToArray(), new bool[9]);
        var e = Assert.Throws<EvaluationException>(() => new VerificationRunner(new QuadrantMeanEmbedder()).Run("tiny", set));
        Assert.Equal(ErrorIds.VerificationTooFewPairs, e.ErrorId);
        Assert.Contains("'tiny' has 9 pairs", e.Message);
    }

    [FixtureFact(FaceFixtures.Orl)]
    public void An_embedder_returning_the_wrong_rows_is_an_error_naming_the_shapes()
    {
        var e = Assert.Throws<EvaluationException>(() =>
            new VerificationRunner(new QuadrantMeanEmbedder { RowsToReturn = 3 }, new VerificationOptions { BatchSize = 4 }).Run("orl", OrlSet()));
        Assert.Equal(ErrorIds.EmbeddingShapeInvalid, e.ErrorId);
        Assert.Contains("returned [3, 12] for images 0..3; expected [4, E]", e.Message);
    }

    [FixtureFact(FaceFixtures.Orl)]
    public void Cancellation_stops_the_run_and_its_decode_thread()
    {
        using var cancel = new CancellationTokenSource();
        var embedder = new QuadrantMeanEmbedder { OnEmbed = cancel.Cancel };
        Assert.ThrowsAny<OperationCanceledException>(() =>
            new VerificationRunner(embedder, new VerificationOptions { BatchSize = 2 }).Run("orl", OrlSet(), null, cancel.Token));
        Assert.True(embedder.Calls <= 2);
    }

    [FixtureFact(FaceFixtures.Orl)]
    public void Progress_is_reported_on_the_calling_thread_after_every_batch()
    {
        var reports = new List<(VerificationProgress, int)>();
        var progress = new SynchronousProgress(p => reports.Add((p, Environment.CurrentManagedThreadId)));
        new VerificationRunner(new QuadrantMeanEmbedder(), new VerificationOptions { BatchSize = 16 }).Run("orl", OrlSet(), progress);
        Assert.Equal([16, 32, 40], reports.Select(r => r.Item1.ImagesDone));
        Assert.All(reports, r => Assert.Equal(Environment.CurrentManagedThreadId, r.Item2));
        Assert.All(reports, r => Assert.Equal(40, r.Item1.ImagesTotal));
    }

    [Fact]
    public void Log_lines_follow_arcface_torchs_format()
    {
        var metrics = VerificationMetrics.Evaluate(Enumerable.Range(0, 20).Select(i => i % 2 * 1.0 + 0.5).ToArray(),
            Enumerable.Range(0, 20).Select(i => i % 2 == 0).ToArray());
        var result = new VerificationResult("lfw", 6000, 0.995166666, 0.0034, 21.4123456, 1.3, 0.98, 0.001, true, "r50",
            metrics, TimeSpan.Zero, TimeSpan.Zero);

        Assert.Equal(["[lfw][2000]XNorm: 21.412346", "[lfw][2000]Accuracy-Flip: 0.99517+-0.00340"], result.LogLines(2000));
        Assert.Equal(["[lfw]XNorm: 21.412346", "[lfw]Accuracy: 0.99517+-0.00340"], (result with { Flip = false }).LogLines());
    }

    /// <summary>
    /// The same quantities from Skia's bitmap decoder and float64 maths: quadrant means of the normalised
    /// pixels, the mirrored image's being the same with left and right swapped.
    /// </summary>
    private static (double[] Distances, double XNorm) Expected(VerificationSet set, bool flip)
    {
        var fused = new List<double[]>();
        var norms = new List<double>();
        foreach (var image in set.Images)
        {
            using var bitmap = SKBitmap.Decode(image);
            var original = new double[12];
            for (var y = 0; y < 112; y++)
                for (var x = 0; x < 112; x++)
                {
                    var p = bitmap.GetPixel(x, y);
                    byte[] channels = [p.Red, p.Green, p.Blue];
                    for (var c = 0; c < 3; c++) original[c * 4 + (y / 56) * 2 + x / 56] += (channels[c] - 127.5) / 127.5 / 3136;
                }
            var mirrored = new double[12];
            for (var c = 0; c < 3; c++)
                for (var q = 0; q < 4; q++) mirrored[c * 4 + (q ^ 1)] = original[c * 4 + q];

            norms.Add(Norm(original));
            if (flip) norms.Add(Norm(mirrored));
            var sum = original.Select((v, i) => flip ? v + mirrored[i] : v).ToArray();
            var norm = Norm(sum);
            fused.Add(sum.Select(v => v / norm).ToArray());
        }
        var distances = Enumerable.Range(0, set.Pairs)
            .Select(i => fused[2 * i].Zip(fused[2 * i + 1], (a, b) => (a - b) * (a - b)).Sum()).ToArray();
        return (distances, norms.Average());
    }

    private static double Norm(double[] v) => Math.Sqrt(v.Sum(x => x * x));

    private sealed class SynchronousProgress(Action<VerificationProgress> report) : IProgress<VerificationProgress>
    {
        public void Report(VerificationProgress value) => report(value);
    }
}

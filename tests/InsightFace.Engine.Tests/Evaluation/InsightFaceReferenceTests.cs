using InsightFace.Engine.Evaluation;

namespace InsightFace.Engine.Tests.Evaluation;

/// <summary>
/// Raw embeddings through fusion and metrics, against numbers printed by arcface_torch's own verification.py
/// functions (test()'s XNorm and fusion, calculate_roc, calculate_val) run with numpy 1.24, sklearn 1.2.1 and
/// scipy 1.10 (interp1d slinear rebuilt as scipy 1.8.1 built it, since 1.10 rejects repeated FAR values).
/// calculate_roc was changed only to also return the folds' best thresholds. tests/golden/insightface_reference.py
/// recomputes the rows.
/// </summary>
public class InsightFaceReferenceTests
{
    [Theory]
    [InlineData(300, 8, 16.88300921013483, 0.7266666666666668, 0.04898979485566359, 1.48, 0.175, 0.05590169943749474, 0.0, 15.570082843548231, 0.7433333333333334, 0.03666666666666671)]
    [InlineData(1234, 16, 24.01109363045374, 0.7188040912667192, 0.04369256160365881, 1.29, 0.2600646488392594, 0.05186575084913224, 0.01951219512195122, 22.155347972906675, 0.8006359821662732, 0.03547705999232228)]
    public void Embeddings_give_insightfaces_numbers(int pairs, int dim, double xnorm, double accuracy, double std,
        double threshold, double val, double valStd, double far, double xnormNoFlip, double accuracyNoFlip, double stdNoFlip)
    {
        var (original, flipped, same) = Make(pairs, dim);

        var flip = new EmbeddingAccumulator(2 * pairs);
        var plain = new EmbeddingAccumulator(2 * pairs);
        // Uneven batches: pairs split across batch boundaries must not matter.
        for (var start = 0; start < 2 * pairs; start += 7)
        {
            var count = Math.Min(7, 2 * pairs - start);
            flip.Add(Rows(original, start, count), Rows(flipped, start, count));
            plain.Add(Rows(original, start, count), null);
        }
        var m = VerificationMetrics.Evaluate(flip.Distances, same);
        var m0 = VerificationMetrics.Evaluate(plain.Distances, same);

        Assert.Equal(xnorm, flip.XNorm, 10);
        Assert.Equal(accuracy, m.Accuracy, 12);
        Assert.Equal(std, m.AccuracyStd, 12);
        Assert.Equal(threshold, m.Threshold, 12);
        Assert.Equal(val, m.TarAtFar, 12);
        Assert.Equal(valStd, m.TarAtFarStd, 12);
        Assert.Equal(far, m.Far, 12);
        Assert.Equal(xnormNoFlip, plain.XNorm, 10);
        Assert.Equal(accuracyNoFlip, m0.Accuracy, 12);
        Assert.Equal(stdNoFlip, m0.AccuracyStd, 12);
    }

    /// <summary>The generator of the Python script: a Knuth multiplicative hash, float64 maths stored as float32.</summary>
    private static (float[,] Original, float[,] Flipped, bool[] Same) Make(int pairs, int dim)
    {
        static double H(long i, long salt) => (double)((i * 2654435761L + salt * 40503L) % (1L << 32)) / (1L << 32);
        var same = Enumerable.Range(0, pairs).Select(p => p % 3 != 1).ToArray();
        var original = new float[2 * pairs, dim];
        var flipped = new float[2 * pairs, dim];
        for (var p = 0; p < pairs; p++)
            for (var k = 0; k < dim; k++)
            {
                var baseValue = H(p * dim + k, 1) - 0.5;
                for (var side = 0; side < 2; side++)
                {
                    var i = 2 * p + side;
                    var noise = (H(i * dim + k, 2) - 0.5) * (same[p] ? 0.9 : 3.0);
                    original[i, k] = (float)(10 * (baseValue + noise));
                    flipped[i, k] = (float)(10 * (baseValue + noise) + 4 * (H(i * dim + k, 3) - 0.5));
                }
            }
        return (original, flipped, same);
    }

    private static float[,] Rows(float[,] source, int start, int count)
    {
        var rows = new float[count, source.GetLength(1)];
        for (var r = 0; r < count; r++)
            for (var k = 0; k < source.GetLength(1); k++) rows[r, k] = source[start + r, k];
        return rows;
    }
}

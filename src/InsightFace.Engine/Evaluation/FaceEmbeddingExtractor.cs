using InsightFace.Engine.Data.Imaging;

namespace InsightFace.Engine.Evaluation;

/// <summary>
/// Embeddings of individual face images (Get-FaceEmbedding): decode, normalise as the model wants, embed in
/// batches. The raw embedding is returned, as arcface_torch's inference.py prints it; with flipping, the sum of
/// the embeddings of the image and its mirror, as the IJB evaluation uses.
/// </summary>
public sealed class FaceEmbeddingExtractor(IFaceEmbedder embedder, int batchSize = VerificationOptions.DefaultBatchSize, bool flip = false)
{
    private readonly FaceImageDecoder _decoder = new(FaceInput.Size, FaceInput.Size);
    private readonly byte[] _rgb = new byte[FaceInput.Floats];
    private readonly float[] _batch = new float[Positive(batchSize) * FaceInput.Floats];
    private readonly float[] _mirrored = flip ? new float[batchSize * FaceInput.Floats] : [];

    /// <summary>
    /// One embedding per encoded image, in order. An image that does not decode throws
    /// <see cref="EvaluationException"/> (<see cref="ErrorIds.VerificationImageInvalid"/>) naming its index.
    /// </summary>
    public IReadOnlyList<float[]> Embed(IReadOnlyList<byte[]> images, CancellationToken cancellationToken = default)
    {
        var result = new List<float[]>(images.Count);
        for (var start = 0; start < images.Count; start += batchSize)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var count = Math.Min(batchSize, images.Count - start);
            for (var i = 0; i < count; i++) Decode(images[start + i], start + i, i);
            var embeddings = embedder.Embed(_batch, count);
            var mirrored = flip ? embedder.Embed(_mirrored, count) : null;
            for (var r = 0; r < count; r++)
            {
                var vector = new float[embeddings.GetLength(1)];
                for (var j = 0; j < vector.Length; j++) vector[j] = embeddings[r, j] + (mirrored?[r, j] ?? 0);
                result.Add(vector);
            }
        }
        return result;
    }

    /// <summary>The cosine similarity of two embeddings, computed in float64; 0 when either is all zeros.</summary>
    public static double CosineSimilarity(ReadOnlySpan<float> a, ReadOnlySpan<float> b)
    {
        if (a.Length != b.Length)
            throw new ArgumentException($"Embeddings of {a.Length} and {b.Length} values cannot be compared.", nameof(b));
        double dot = 0, aa = 0, bb = 0;
        for (var i = 0; i < a.Length; i++)
        {
            dot += (double)a[i] * b[i];
            aa += (double)a[i] * a[i];
            bb += (double)b[i] * b[i];
        }
        return aa == 0 || bb == 0 ? 0 : dot / Math.Sqrt(aa * bb);
    }

    private void Decode(byte[] image, int index, int slot)
    {
        try
        {
            _decoder.DecodeRgb(image, _rgb);
        }
        catch (FaceImageDecodeException e)
        {
            throw new EvaluationException(ErrorIds.VerificationImageInvalid, $"Image {index} does not decode: {e.Message}", e);
        }
        var transform = embedder.InputTransform;
        transform.ToChw(_rgb, FaceInput.Size, FaceInput.Size, _batch.AsSpan(slot * FaceInput.Floats, FaceInput.Floats), flip: false);
        if (flip)
            transform.ToChw(_rgb, FaceInput.Size, FaceInput.Size, _mirrored.AsSpan(slot * FaceInput.Floats, FaceInput.Floats), flip: true);
    }

    private static int Positive(int batchSize)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(batchSize);
        return batchSize;
    }
}

namespace InsightFace.Engine.Evaluation;

/// <summary>
/// Turns embeddings, arriving in file order, into the protocol's inputs without keeping them: the running XNorm
/// (mean L2 norm of every raw embedding) and the squared L2 distance of each pair of fused embeddings,
/// L2-normalise(emb + emb_flip) or L2-normalise(emb), in float64 as numpy computes them.
/// </summary>
internal sealed class EmbeddingAccumulator(int images)
{
    private readonly double[] _distances = new double[images / 2];
    private double[]? _pairFirst;
    private double _normSum;
    private long _normCount;
    private int _next;

    /// <summary>The images added so far.</summary>
    public int Count => _next;

    /// <summary>Mean L2 norm of all raw embeddings added (both copies when flipped ones were given).</summary>
    public double XNorm => _normSum / _normCount;

    /// <summary>The squared distances of the pairs, once every image has been added.</summary>
    public double[] Distances => _next == 2 * _distances.Length
        ? _distances
        : throw new InvalidOperationException($"Only {_next} of {2 * _distances.Length} images were embedded.");

    /// <summary>Adds the next rows; <paramref name="flipped"/> holds the embeddings of the mirrored images, if any.</summary>
    public void Add(float[,] original, float[,]? flipped)
    {
        var rows = original.GetLength(0);
        var size = original.GetLength(1);
        for (var r = 0; r < rows; r++)
        {
            var fused = new double[size];
            for (var j = 0; j < size; j++) fused[j] = original[r, j];
            AddNorm(fused);
            if (flipped is not null)
            {
                var mirror = new double[size];
                for (var j = 0; j < size; j++) mirror[j] = flipped[r, j];
                AddNorm(mirror);
                for (var j = 0; j < size; j++) fused[j] += mirror[j];
            }
            Normalize(fused);

            if (_next % 2 == 0) _pairFirst = fused;
            else _distances[_next / 2] = SquaredDistance(_pairFirst!, fused);
            _next++;
        }
    }

    private void AddNorm(double[] vector)
    {
        _normSum += Math.Sqrt(Dot(vector, vector));
        _normCount++;
    }

    /// <summary>sklearn's <c>normalize</c>: divide by the L2 norm, leaving all-zero rows as they are.</summary>
    private static void Normalize(double[] vector)
    {
        var norm = Math.Sqrt(Dot(vector, vector));
        if (norm == 0) return;
        for (var j = 0; j < vector.Length; j++) vector[j] /= norm;
    }

    private static double SquaredDistance(double[] a, double[] b)
    {
        var sum = 0.0;
        for (var j = 0; j < a.Length; j++) sum += (a[j] - b[j]) * (a[j] - b[j]);
        return sum;
    }

    private static double Dot(double[] a, double[] b)
    {
        var sum = 0.0;
        for (var j = 0; j < a.Length; j++) sum += a[j] * b[j];
        return sum;
    }
}

namespace InsightFace.Engine.Heads;

/// <summary>The backbone produces embeddings of another length than the head was built for.</summary>
public sealed class EmbeddingSizeMismatchException : InsightFaceException
{
    /// <summary>Creates the exception for embeddings of length <paramref name="actual"/> fed to a head that expects <paramref name="expected"/>.</summary>
    public EmbeddingSizeMismatchException(long expected, long actual)
        : base(ErrorIds.EmbeddingSizeMismatch, $"The head expects embeddings of length {expected} (embedding_size), but the backbone produced " +
               $"length {actual}. Build both from the same embedding_size.")
    {
        Expected = expected;
        Actual = actual;
    }

    /// <summary>The head's embedding size.</summary>
    public long Expected { get; }

    /// <summary>The length that arrived.</summary>
    public long Actual { get; }
}

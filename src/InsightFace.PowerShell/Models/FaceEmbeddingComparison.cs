namespace InsightFace;

/// <summary>How alike two face embeddings are, as Compare-FaceEmbedding reports it.</summary>
public sealed class FaceEmbeddingComparison
{
    /// <summary>The cosine similarity, -1 to 1; 1 means the same direction.</summary>
    public double Similarity { get; set; }
    /// <summary>
    /// The squared L2 distance of the normalised embeddings, 2 - 2 · Similarity: the quantity InsightFace's
    /// verification thresholds (0 to 4) apply to.
    /// </summary>
    public double Distance { get; set; }
    /// <summary>The image of the reference embedding, when it came from one.</summary>
    public string ReferencePath { get; set; } = "";
    /// <summary>The image of the difference embedding, when it came from one.</summary>
    public string DifferencePath { get; set; } = "";
}

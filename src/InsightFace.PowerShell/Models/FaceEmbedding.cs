namespace InsightFace;

/// <summary>The embedding of one face image, as the model returned it (not normalised).</summary>
public sealed class FaceEmbedding
{
    /// <summary>The image file.</summary>
    public string Path { get; set; } = "";
    /// <summary>The embedding values.</summary>
    public float[] Vector { get; set; } = Array.Empty<float>();
    /// <summary>The L2 norm of <see cref="Vector"/>; InsightFace's XNorm averages it over a set.</summary>
    public double Norm { get; set; }
    /// <summary>The model that computed it: a checkpoint folder or an ONNX file.</summary>
    public string Model { get; set; } = "";

    internal static FaceEmbedding From(string path, float[] vector, string model) => new()
    {
        Path = path,
        Vector = vector,
        Norm = Math.Sqrt(vector.Sum(v => (double)v * v)),
        Model = model,
    };
}

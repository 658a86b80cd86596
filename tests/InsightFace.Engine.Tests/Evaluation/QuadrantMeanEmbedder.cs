using InsightFace.Engine.Data.Imaging;
using InsightFace.Engine.Evaluation;

namespace InsightFace.Engine.Tests.Evaluation;

/// <summary>
/// A stand-in model: the mean of each channel over each image quadrant (12 values), so that a mirrored image
/// gives the same values with left and right quadrants swapped. Records the buffers it was handed.
/// </summary>
internal sealed class QuadrantMeanEmbedder : IFaceEmbedder
{
    public HashSet<float[]> Buffers { get; } = new(ReferenceEqualityComparer.Instance);
    public int Calls { get; private set; }
    public int? RowsToReturn { get; init; }
    public Action? OnEmbed { get; init; }

    public FaceImageTransform InputTransform => FaceImageTransform.ArcFace;

    public string Description => "quadrant means";

    public float[,] Embed(float[] images, int count)
    {
        Calls++;
        Buffers.Add(images);
        OnEmbed?.Invoke();
        var rows = RowsToReturn ?? count;
        var result = new float[rows, 12];
        for (var n = 0; n < Math.Min(rows, count); n++)
            for (var c = 0; c < 3; c++)
                for (var y = 0; y < 112; y++)
                    for (var x = 0; x < 112; x++)
                        result[n, c * 4 + (y / 56) * 2 + x / 56] += images[n * FaceInput.Floats + c * 12544 + y * 112 + x] / 3136f;
        return result;
    }
}

namespace InsightFace.Engine.Evaluation;

/// <summary>A reusable buffer of decoded images: the originals and, when flipping, their mirrored copies.</summary>
internal sealed class ImageBatch(int capacity, bool flip)
{
    /// <summary>Index in the set of the first image.</summary>
    public int Start { get; set; }

    /// <summary>Images held.</summary>
    public int Count { get; set; }

    /// <summary>CHW floats of the images as they are.</summary>
    public float[] Original { get; } = new float[capacity * FaceInput.Floats];

    /// <summary>CHW floats of the images mirrored left to right, or null without flipping.</summary>
    public float[]? Flipped { get; } = flip ? new float[capacity * FaceInput.Floats] : null;
}

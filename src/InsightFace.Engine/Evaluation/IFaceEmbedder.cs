using InsightFace.Engine.Data.Imaging;

namespace InsightFace.Engine.Evaluation;

/// <summary>A face-recognition model seen as a function from normalised 112x112 images to embeddings.</summary>
public interface IFaceEmbedder
{
    /// <summary>The normalisation and channel order the model's input expects.</summary>
    FaceImageTransform InputTransform { get; }

    /// <summary>A short description of the model for results and logs (a file name or a network).</summary>
    string Description { get; }

    /// <summary>
    /// Embeds <paramref name="count"/> images stored one after another as 3x112x112 CHW floats at the start of
    /// <paramref name="images"/> (which may be longer), returning a <c>[count, embedding size]</c> array.
    /// </summary>
    float[,] Embed(float[] images, int count);
}

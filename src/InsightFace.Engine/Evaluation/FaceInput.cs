namespace InsightFace.Engine.Evaluation;

/// <summary>The input geometry every InsightFace recognition model shares.</summary>
public static class FaceInput
{
    /// <summary>Image width and height in pixels.</summary>
    public const int Size = 112;

    /// <summary>Colour channels.</summary>
    public const int Channels = 3;

    /// <summary>Floats per CHW image: 3 · 112 · 112.</summary>
    public const int Floats = Channels * Size * Size;
}

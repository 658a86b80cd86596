namespace InsightFace.Engine.Data.Imaging;

/// <summary>Encoded bytes that SkiaSharp cannot decode as an image (<see cref="ErrorIds.ImageDecodeFailed"/>).</summary>
public sealed class FaceImageDecodeException : InsightFaceException
{
    /// <summary>Creates the exception.</summary>
    public FaceImageDecodeException(string message) : base(ErrorIds.ImageDecodeFailed, message) { }
}

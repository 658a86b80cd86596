namespace InsightFace.Engine.Data.Imaging;

/// <summary>Encoded bytes that SkiaSharp cannot decode as an image.</summary>
public sealed class FaceImageDecodeException : Exception
{
    /// <summary>The stable error identifier of this failure.</summary>
    public const string DecodeFailed = "ImageDecodeFailed";

    /// <summary>Creates the exception.</summary>
    public FaceImageDecodeException(string message) : base(message) { }

    /// <summary>Always <see cref="DecodeFailed"/>.</summary>
    public string ErrorId => DecodeFailed;
}

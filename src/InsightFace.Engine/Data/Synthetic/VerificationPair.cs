namespace InsightFace.Engine.Data.Synthetic;

/// <summary>Two encoded face images and whether they show the same identity: one entry of a verification set.</summary>
/// <param name="ImageA">The first image, JPEG bytes.</param>
/// <param name="ImageB">The second image, JPEG bytes.</param>
/// <param name="Same">True when both show the same identity.</param>
public sealed record VerificationPair(byte[] ImageA, byte[] ImageB, bool Same);

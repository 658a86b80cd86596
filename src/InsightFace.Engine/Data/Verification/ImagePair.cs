namespace InsightFace.Engine.Data.Verification;

/// <summary>Two image files and whether they show the same identity.</summary>
/// <param name="FirstPath">The full path of the first image.</param>
/// <param name="SecondPath">The full path of the second image.</param>
/// <param name="IsSame">True when both images show the same identity.</param>
public sealed record ImagePair(string FirstPath, string SecondPath, bool IsSame);

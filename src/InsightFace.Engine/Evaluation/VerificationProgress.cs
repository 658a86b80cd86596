namespace InsightFace.Engine.Evaluation;

/// <summary>Progress of one verification target.</summary>
/// <param name="Target">The set's name, for example <c>lfw</c>.</param>
/// <param name="ImagesDone">Images embedded so far.</param>
/// <param name="ImagesTotal">Images in the set.</param>
public sealed record VerificationProgress(string Target, int ImagesDone, int ImagesTotal);

namespace InsightFace.Engine.Data;

/// <summary>What is known about a dataset without reading its records.</summary>
/// <param name="Format">The format it was read as.</param>
/// <param name="DatasetPath">The folder (or, for synthetic data, a description) it was opened from.</param>
/// <param name="ImageSize">The image size from <c>property</c> or the first image; null when unknown.</param>
/// <param name="Parts">The number of data files (OFRecord parts, one <c>.rec</c>, or the image files).</param>
/// <param name="ValidationTargets">Full paths of the verification <c>.bin</c> files found beside the data.</param>
/// <param name="PropertyPath">Full path of the <c>property</c> file, or null when there is none.</param>
public sealed record DatasetInfo(
    DatasetFormat Format,
    string DatasetPath,
    ImageSize? ImageSize,
    int Parts,
    IReadOnlyList<string> ValidationTargets,
    string? PropertyPath);

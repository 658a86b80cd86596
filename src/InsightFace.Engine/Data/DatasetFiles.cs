namespace InsightFace.Engine.Data;

/// <summary>Files that sit beside a dataset's data: verification sets and <c>property</c>.</summary>
internal static class DatasetFiles
{
    /// <summary>Full paths of the <c>*.bin</c> verification sets directly in <paramref name="folder"/>, sorted by name.</summary>
    public static IReadOnlyList<string> FindValidationTargets(string folder) =>
        Directory.Exists(folder)
            ? Directory.GetFiles(folder, "*.bin").Order(StringComparer.Ordinal).ToArray()
            : [];

    /// <summary>The path of <c>property</c> in <paramref name="folder"/> when it exists.</summary>
    public static string? FindProperty(string folder)
    {
        var path = Path.Combine(folder, DatasetProperty.FileName);
        return File.Exists(path) ? path : null;
    }
}

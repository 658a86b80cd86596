namespace InsightFace;

/// <summary>How the table views show a path in a column: short enough for a 120-column console, with its full form in the list view.</summary>
public static class DisplayPath
{
    /// <summary>
    /// The last two parts of <paramref name="path"/>, leaving out a run's checkpoints folder: what tells files apart
    /// in practice (an identity's folder and the image, a run and its checkpoint, a checkpoint and its model.onnx).
    /// </summary>
    public static string Short(string? path)
    {
        var parts = (path ?? "").Split('/', '\\').Where(p => p.Length > 0 && p != "checkpoints").ToArray();
        return string.Join('/', parts.TakeLast(2));
    }
}

namespace InsightFace.Engine.Evaluation;

/// <summary>Turns <c>-Target</c> values (names such as <c>lfw</c>, or <c>.bin</c> paths) into files.</summary>
public static class VerificationTargets
{
    /// <summary>
    /// A value ending in <c>.bin</c> or holding a directory separator is a path (relative to the current
    /// directory); anything else is a name looked up as <c>&lt;name&gt;.bin</c> in <paramref name="folders"/>,
    /// in order (for example <c>-DataPath</c>, then the training dataset's folder).
    /// </summary>
    public static string Resolve(string target, IEnumerable<string> folders)
    {
        var isPath = target.EndsWith(".bin", StringComparison.OrdinalIgnoreCase)
                     || target.Contains(Path.DirectorySeparatorChar) || target.Contains(Path.AltDirectorySeparatorChar);
        if (isPath)
        {
            var full = Path.GetFullPath(target);
            return File.Exists(full)
                ? full
                : throw new EvaluationException(ErrorIds.VerificationTargetNotFound, $"Verification set {full} does not exist.");
        }

        var searched = folders.Select(Path.GetFullPath).ToArray();
        foreach (var folder in searched)
        {
            var candidate = Path.Combine(folder, target + ".bin");
            if (File.Exists(candidate)) return candidate;
        }
        var where = searched.Length == 0 ? "no folder was given to look in" : $"looked in {string.Join(", ", searched)}";
        throw new EvaluationException(ErrorIds.VerificationTargetNotFound,
            $"Verification target '{target}' has no {target}.bin: {where}. Pass -DataPath or a path to the .bin.");
    }
}

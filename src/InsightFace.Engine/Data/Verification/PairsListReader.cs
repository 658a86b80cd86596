using System.Globalization;

namespace InsightFace.Engine.Data.Verification;

/// <summary>
/// Reads a list of image pairs: LFW's <c>pairs.txt</c> (<c>name n1 n2</c> for a same pair, <c>name1 n1 name2 n2</c>
/// for a different pair, images at <c>root/name/name_NNNN.jpg</c>, an optional first line of counts), or a
/// <c>.csv</c> of <c>path1,path2,same</c> with an optional header line.
/// </summary>
public static class PairsListReader
{
    /// <summary>
    /// Reads <paramref name="path"/>. Image paths are resolved against <paramref name="imageRoot"/>, by default the
    /// folder of the list. Every image must exist; otherwise <see cref="VerificationSetException"/> names the line.
    /// </summary>
    public static IReadOnlyList<ImagePair> Read(string path, string? imageRoot = null, string lfwExtension = ".jpg")
    {
        var full = Path.GetFullPath(path);
        var root = Path.GetFullPath(imageRoot ?? Path.GetDirectoryName(full)!);
        var csv = string.Equals(Path.GetExtension(full), ".csv", StringComparison.OrdinalIgnoreCase);
        var pairs = new List<ImagePair>();
        var lineNumber = 0;
        foreach (var line in File.ReadLines(full))
        {
            lineNumber++;
            if (string.IsNullOrWhiteSpace(line)) continue;
            var pair = csv
                ? ParseCsv(full, root, line, lineNumber, isFirst: pairs.Count == 0)
                : ParseLfw(full, root, line, lineNumber, lfwExtension, isFirst: pairs.Count == 0);
            if (pair is null) continue;
            RequireFile(full, lineNumber, pair.FirstPath);
            RequireFile(full, lineNumber, pair.SecondPath);
            pairs.Add(pair);
        }
        return pairs;
    }

    private static ImagePair? ParseLfw(string file, string root, string line, int lineNumber, string extension, bool isFirst)
    {
        var f = line.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
        // LFW's first line counts folds and pairs ("10 300"); it holds only numbers.
        if (isFirst && f.Length <= 2 && f.All(x => int.TryParse(x, CultureInfo.InvariantCulture, out _))) return null;
        return f.Length switch
        {
            3 => new ImagePair(LfwImage(root, f[0], Number(file, lineNumber, f[1]), extension),
                LfwImage(root, f[0], Number(file, lineNumber, f[2]), extension), true),
            4 => new ImagePair(LfwImage(root, f[0], Number(file, lineNumber, f[1]), extension),
                LfwImage(root, f[2], Number(file, lineNumber, f[3]), extension), false),
            _ => throw Invalid(file, lineNumber, $"has {f.Length} fields; expected 'name n1 n2' or 'name1 n1 name2 n2'"),
        };
    }

    private static ImagePair? ParseCsv(string file, string root, string line, int lineNumber, bool isFirst)
    {
        var f = line.Split(',').Select(x => x.Trim()).ToArray();
        if (f.Length != 3) throw Invalid(file, lineNumber, $"has {f.Length} fields; expected 'path1,path2,same'");
        if (TryParseSame(f[2], out var same))
            return new ImagePair(Path.GetFullPath(f[0], root), Path.GetFullPath(f[1], root), same);
        if (isFirst) return null; // a header line
        throw Invalid(file, lineNumber, $"has same = '{f[2]}'; expected 1, 0, true or false");
    }

    private static bool TryParseSame(string text, out bool same)
    {
        same = text is "1" || text.Equals("true", StringComparison.OrdinalIgnoreCase);
        return same || text is "0" || text.Equals("false", StringComparison.OrdinalIgnoreCase);
    }

    private static string LfwImage(string root, string name, int number, string extension) =>
        Path.Combine(root, name, $"{name}_{number:D4}{extension}");

    private static int Number(string file, int lineNumber, string text) =>
        int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var n)
            ? n
            : throw Invalid(file, lineNumber, $"has image number '{text}'; expected a whole number");

    private static void RequireFile(string file, int lineNumber, string image)
    {
        if (!File.Exists(image))
            throw new VerificationSetException(ErrorIds.PairsListImageNotFound, file,
                $"{file}: line {lineNumber} names {image}, which does not exist.");
    }

    private static VerificationSetException Invalid(string file, int lineNumber, string detail) =>
        new(ErrorIds.PairsListLineInvalid, file, $"{file}: line {lineNumber} {detail}.");
}

using System.Globalization;

namespace InsightFace.Engine.Data.ImageFolder;

/// <summary>
/// A landmarks file: one line per photo, its path then 10 numbers, the x and y of the left eye, right eye, nose tip,
/// left and right mouth corner, in pixels. Fields are separated by spaces, tabs or commas; relative paths are
/// relative to the file's folder; blank lines and lines starting with <c>#</c> are skipped.
/// </summary>
public sealed class FaceLandmarks
{
    private readonly Dictionary<string, (double X, double Y)[]> _byPath;

    private FaceLandmarks(Dictionary<string, (double X, double Y)[]> byPath) => _byPath = byPath;

    /// <summary>The number of photos with landmarks.</summary>
    public int Count => _byPath.Count;

    /// <summary>Reads <paramref name="path"/>; a malformed line is a <see cref="DatasetFormatException"/> naming it.</summary>
    public static FaceLandmarks Read(string path)
    {
        var file = Path.GetFullPath(path);
        var folder = Path.GetDirectoryName(file)!;
        var byPath = new Dictionary<string, (double X, double Y)[]>(StringComparer.Ordinal);
        var lineNumber = 0;
        foreach (var line in File.ReadLines(file))
        {
            lineNumber++;
            if (line.Trim() is "" || line.TrimStart().StartsWith('#')) continue;
            var fields = line.Split([' ', '\t', ','], StringSplitOptions.RemoveEmptyEntries);
            var numbers = new double[10];
            var valid = fields.Length >= 11;
            for (var i = 0; valid && i < 10; i++)
                valid = double.TryParse(fields[fields.Length - 10 + i], NumberStyles.Float, CultureInfo.InvariantCulture, out numbers[i]);
            if (!valid)
                throw new DatasetFormatException(ErrorIds.DatasetLandmarksInvalid, file, null,
                    $"{file} line {lineNumber}: expected an image path followed by 10 numbers (x y of eyes, nose, mouth corners), found '{line}'.");
            var image = Path.GetFullPath(Path.Combine(folder, string.Join(' ', fields[..^10])));
            byPath[image] = Enumerable.Range(0, 5).Select(i => (numbers[2 * i], numbers[2 * i + 1])).ToArray();
        }
        return new FaceLandmarks(byPath);
    }

    /// <summary>The 5 landmarks of the photo at <paramref name="imagePath"/> (a full path), or null when the file has none.</summary>
    public IReadOnlyList<(double X, double Y)>? For(string imagePath) => _byPath.GetValueOrDefault(imagePath);
}

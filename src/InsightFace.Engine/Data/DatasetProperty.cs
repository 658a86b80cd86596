using System.Globalization;

namespace InsightFace.Engine.Data;

/// <summary>
/// InsightFace's <c>property</c> file: a first line <c>num_classes,height,width</c>. Later lines (RecBuilder
/// adds the image count) are ignored, as InsightFace's own readers ignore them.
/// </summary>
/// <param name="NumClasses">The number of identities.</param>
/// <param name="ImageSize">The image height and width.</param>
public sealed record DatasetProperty(int NumClasses, ImageSize ImageSize)
{
    /// <summary>The file name InsightFace uses.</summary>
    public const string FileName = "property";

    /// <summary>Reads <paramref name="path"/>; throws <see cref="DatasetFormatException"/> when its first line is malformed.</summary>
    public static DatasetProperty Read(string path)
    {
        var firstLine = File.ReadLines(path).FirstOrDefault() ?? "";
        var fields = firstLine.Split(',');
        if (fields.Length == 3
            && int.TryParse(fields[0], NumberStyles.None, CultureInfo.InvariantCulture, out var classes)
            && int.TryParse(fields[1], NumberStyles.None, CultureInfo.InvariantCulture, out var height)
            && int.TryParse(fields[2], NumberStyles.None, CultureInfo.InvariantCulture, out var width)
            && classes > 0 && height > 0 && width > 0)
            return new DatasetProperty(classes, new ImageSize(height, width));
        throw new DatasetFormatException(ErrorIds.DatasetPropertyInvalid, path, 0,
            $"{path}: expected a first line 'num_classes,height,width' of positive integers, found '{firstLine}'.");
    }

    /// <summary>Reads <c>property</c> in <paramref name="folder"/> when it exists; null otherwise.</summary>
    public static DatasetProperty? TryReadFrom(string folder)
    {
        var path = Path.Combine(folder, FileName);
        return File.Exists(path) ? Read(path) : null;
    }

    /// <summary>The file's text: one line, as InsightFace writes it.</summary>
    public override string ToString() =>
        string.Create(CultureInfo.InvariantCulture, $"{NumClasses},{ImageSize.Height},{ImageSize.Width}\n");
}

using InsightFace.Engine.Data;
using InsightFace.Engine.Data.Synthetic;

namespace InsightFace;

/// <summary>
/// A face dataset: an MXNet RecordIO folder, an image folder, OFRecord parts or a synthetic set. A path converts to
/// one (format detected), so -Dataset takes a FaceDataset, a path, or anything with a DatasetPath property.
/// </summary>
public sealed class FaceDataset
{
    /// <summary>An empty dataset description, for deserialisation.</summary>
    public FaceDataset()
    {
    }

    /// <summary>A dataset at <paramref name="datasetPath"/>, its format to be detected when it is opened.</summary>
    public FaceDataset(string datasetPath)
    {
        DatasetPath = datasetPath;
    }

    /// <summary>The dataset at a file or folder from Get-Item or Get-ChildItem, its format to be detected when it is opened.</summary>
    public FaceDataset(FileSystemInfo item)
        : this(item.FullName)
    {
    }

    /// <summary>The dataset folder's name (or the .rec file's name when it is not train.rec); synthetic for generated data.</summary>
    public string Name { get; set; } = "";
    /// <summary>RecordIO, ImageFolder, OFRecord or Synthetic (Auto for a path not yet opened).</summary>
    public string Format { get; set; } = nameof(DatasetFormat.Auto);
    /// <summary>The folder or file it was opened from, or a synthetic set's description; binds -Dataset by property name.</summary>
    public string DatasetPath { get; set; } = "";
    /// <summary>Identities.</summary>
    public int NumClasses { get; set; }
    /// <summary>Images.</summary>
    public int NumImages { get; set; }
    /// <summary>Height x width of the images (from property or the first image), or empty when unknown.</summary>
    public string ImageSize { get; set; } = "";
    /// <summary>Data files: OFRecord parts, 1 for a .rec, the image files of a folder; 0 for synthetic data.</summary>
    public int Parts { get; set; }
    /// <summary>Full paths of the verification .bin files that go with it, which training can use as val targets.</summary>
    public string[] ValidationTargets { get; set; } = Array.Empty<string>();
    /// <summary>The OFRecord feature holding the encoded image (encoded unless Get-FaceDataset -ImageKey said otherwise); empty for other formats.</summary>
    public string ImageKey { get; set; } = "";
    /// <summary>The OFRecord feature holding the label (label unless Get-FaceDataset -LabelKey said otherwise); empty for other formats.</summary>
    public string LabelKey { get; set; } = "";

    internal static FaceDataset From(DatasetSummary summary) => new()
    {
        Name = summary.Name,
        Format = summary.Format.ToString(),
        DatasetPath = summary.DatasetPath,
        NumClasses = summary.NumClasses,
        NumImages = summary.NumImages,
        ImageSize = summary.ImageSize?.ToString() ?? "",
        Parts = summary.Parts,
        ValidationTargets = summary.ValidationTargets.ToArray(),
        ImageKey = summary.ImageKey ?? "",
        LabelKey = summary.LabelKey ?? "",
    };

    /// <summary>Whether <see cref="DatasetPath"/> describes a synthetic set rather than naming a file or folder.</summary>
    internal bool IsSynthetic => DatasetOpener.IsSyntheticSpec(DatasetPath);

    /// <summary>
    /// Opens the dataset again: a synthetic one from its description with its validation targets, any other from
    /// <paramref name="resolvedPath"/> (<see cref="DatasetPath"/> resolved against the PowerShell location) in its format.
    /// </summary>
    internal IFaceDataset Open(string resolvedPath) =>
        IsSynthetic
            ? SyntheticFaceDataset.FromSpec(DatasetPath, ValidationTargets)
            : DatasetOpener.Open(resolvedPath, Enum.TryParse<DatasetFormat>(Format, out var format) && format != DatasetFormat.Synthetic ? format : DatasetFormat.Auto,
                ImageKey, LabelKey);
}

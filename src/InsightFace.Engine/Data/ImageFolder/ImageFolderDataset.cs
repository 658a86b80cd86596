namespace InsightFace.Engine.Data.ImageFolder;

/// <summary>
/// A folder with one sub-folder of JPEG/PNG images per identity. Labels are the positions of the sub-folder
/// names in ordinal order (the same order on every machine and culture); files inside a sub-folder are in
/// ordinal order too. Files directly in the folder (<c>property</c>, <c>*.bin</c>) are not images.
/// </summary>
public sealed class ImageFolderDataset : IFaceDataset
{
    private static readonly string[] ImageExtensions = [".jpg", ".jpeg", ".png"];
    private readonly string[] _files;
    private readonly int[] _labels;

    private ImageFolderDataset(string folder, string[] identities, string[] files, int[] labels)
    {
        Identities = identities;
        _files = files;
        _labels = labels;
        Info = new DatasetInfo(DatasetFormat.ImageFolder, folder, ImageSize.FromEncoded(File.ReadAllBytes(files[0])),
            files.Length, DatasetFiles.FindValidationTargets(folder), DatasetFiles.FindProperty(folder));
    }

    /// <inheritdoc/>
    public DatasetInfo Info { get; }

    /// <inheritdoc/>
    public int Count => _files.Length;

    /// <inheritdoc/>
    public int NumClasses => Identities.Count;

    /// <summary>The identity (sub-folder) names; label i is <c>Identities[i]</c>.</summary>
    public IReadOnlyList<string> Identities { get; }

    /// <summary>True for the file names this reader treats as images (<c>.jpg</c>, <c>.jpeg</c>, <c>.png</c>, any case).</summary>
    public static bool IsImageFile(string path) =>
        ImageExtensions.Contains(Path.GetExtension(path), StringComparer.OrdinalIgnoreCase);

    /// <summary>
    /// Lists <paramref name="folder"/>. Throws <see cref="DatasetNotFoundException"/> when it has no identity
    /// sub-folder, or when an identity sub-folder has no image (a silent gap would shift no labels but would
    /// hide a broken copy).
    /// </summary>
    public static ImageFolderDataset Open(string folder)
    {
        var root = Path.GetFullPath(folder);
        if (!Directory.Exists(root))
            throw new DatasetNotFoundException(ErrorIds.DatasetNotFound, root, $"{root}: the folder does not exist.");
        var identities = Directory.GetDirectories(root).Order(StringComparer.Ordinal).ToArray();
        if (identities.Length == 0)
            throw new DatasetNotFoundException(ErrorIds.ImageFolderEmpty, root,
                $"{root}: expected one sub-folder of images per identity, found no sub-folder.");

        var files = new List<string>();
        var labels = new List<int>();
        for (var label = 0; label < identities.Length; label++)
        {
            var images = Directory.GetFiles(identities[label]).Where(IsImageFile).Order(StringComparer.Ordinal).ToArray();
            if (images.Length == 0)
                throw new DatasetNotFoundException(ErrorIds.ImageFolderIdentityEmpty, identities[label],
                    $"{identities[label]}: expected JPEG or PNG images (.jpg, .jpeg, .png) for identity {label}, found none.");
            files.AddRange(images);
            labels.AddRange(Enumerable.Repeat(label, images.Length));
        }
        return new ImageFolderDataset(root, identities.Select(p => new DirectoryInfo(p).Name).ToArray(), [.. files], [.. labels]);
    }

    /// <summary>The full path of image <paramref name="index"/>.</summary>
    public string PathOf(int index) => _files[index];

    /// <inheritdoc/>
    public FaceSample Read(int index) => new(File.ReadAllBytes(_files[index]), _labels[index], _files[index]);

    /// <inheritdoc/>
    public void Dispose()
    {
    }
}

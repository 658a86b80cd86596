using InsightFace.Engine.Data.ImageFolder;
using InsightFace.Engine.Data.OFRecord;
using InsightFace.Engine.Data.RecordIO;
using InsightFace.Engine.Data.Synthetic;

namespace InsightFace.Engine.Data;

/// <summary>Opens a dataset from a path, detecting its format: the one call behind <c>Get-FaceDataset -Path</c>.</summary>
public static class DatasetOpener
{
    /// <summary>
    /// Opens <paramref name="path"/>: a folder (with <c>train.rec</c>, <c>part-*</c> files, or identity
    /// sub-folders, tried in that order), a <c>.rec</c> or <c>.idx</c> file, a <c>part-*</c> file (its folder), or a
    /// synthetic dataset's description (<see cref="SyntheticFaceDataset.SpecPrefix"/>…).
    /// <paramref name="format"/> other than <see cref="DatasetFormat.Auto"/> skips the detection.
    /// <paramref name="imageKey"/> and <paramref name="labelKey"/> name the features of OFRecord parts written with
    /// other names than OneFlow's face converters use (null or empty: OneFlow's); other formats ignore them.
    /// </summary>
    /// <exception cref="DatasetNotFoundException">Nothing at <paramref name="path"/> looks like a dataset of that format.</exception>
    public static IFaceDataset Open(string path, DatasetFormat format = DatasetFormat.Auto,
        string? imageKey = null, string? labelKey = null)
    {
        imageKey = string.IsNullOrEmpty(imageKey) ? OFRecordDataset.DefaultImageKey : imageKey;
        labelKey = string.IsNullOrEmpty(labelKey) ? OFRecordDataset.DefaultLabelKey : labelKey;
        if (format is DatasetFormat.Auto or DatasetFormat.Synthetic && IsSyntheticSpec(path)) return SyntheticFaceDataset.FromSpec(path);
        var fullPath = Path.GetFullPath(path);
        if (File.Exists(fullPath)) return OpenFile(fullPath, format, imageKey, labelKey);
        if (!Directory.Exists(fullPath))
            throw new DatasetNotFoundException(ErrorIds.DatasetNotFound, fullPath, $"{fullPath}: no such file or folder.");

        var rec = Path.Combine(fullPath, FaceRecordIOWriter.RecFileName);
        return format switch
        {
            DatasetFormat.RecordIO => RecordIODataset.Open(rec),
            DatasetFormat.OFRecord => OFRecordDataset.Open(fullPath, imageKey, labelKey),
            DatasetFormat.ImageFolder => ImageFolderDataset.Open(fullPath),
            DatasetFormat.Auto when File.Exists(rec) => RecordIODataset.Open(rec),
            DatasetFormat.Auto when OFRecordDataset.FindParts(fullPath).Length > 0 => OFRecordDataset.Open(fullPath, imageKey, labelKey),
            DatasetFormat.Auto => ImageFolderDataset.Open(fullPath),
            _ => throw new ArgumentException($"A {format} dataset is not opened from a path.", nameof(format)),
        };
    }

    /// <summary>Whether <paramref name="path"/> is a synthetic dataset's description rather than a path.</summary>
    public static bool IsSyntheticSpec(string path) => path.StartsWith(SyntheticFaceDataset.SpecPrefix, StringComparison.Ordinal);

    private static IFaceDataset OpenFile(string file, DatasetFormat format, string imageKey, string labelKey)
    {
        var name = Path.GetFileName(file);
        var extension = Path.GetExtension(file);
        if (format is DatasetFormat.Auto or DatasetFormat.RecordIO)
        {
            if (extension.Equals(".rec", StringComparison.OrdinalIgnoreCase)) return RecordIODataset.Open(file);
            if (extension.Equals(".idx", StringComparison.OrdinalIgnoreCase)) return RecordIODataset.Open(Path.ChangeExtension(file, ".rec"));
        }
        if (format is DatasetFormat.Auto or DatasetFormat.OFRecord && name.StartsWith(OFRecordDataset.PartPrefix, StringComparison.Ordinal))
            return OFRecordDataset.Open(Path.GetDirectoryName(file)!, imageKey, labelKey);
        throw new DatasetNotFoundException(ErrorIds.DatasetNotFound, file,
            $"{file}: expected a folder, a .rec or .idx file, or an OFRecord part-* file{(format == DatasetFormat.Auto ? "" : $" for format {format}")}.");
    }
}

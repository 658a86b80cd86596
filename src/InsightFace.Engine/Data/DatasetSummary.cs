using InsightFace.Engine.Data.OFRecord;
using InsightFace.Engine.Data.RecordIO;

namespace InsightFace.Engine.Data;

/// <summary>What <c>Get-FaceDataset</c> shows of a dataset, in plain types.</summary>
/// <param name="Name">The dataset folder's name (or the <c>.rec</c> file's, when it is not <c>train.rec</c>; <c>synthetic</c> for generated data).</param>
/// <param name="Format">The format it was read as.</param>
/// <param name="DatasetPath">A path (or synthetic description) that <see cref="DatasetOpener.Open"/> opens as this same dataset.</param>
/// <param name="NumClasses">Identities.</param>
/// <param name="NumImages">Images.</param>
/// <param name="ImageSize">Height x width, or null when unknown.</param>
/// <param name="Parts">Data files (OFRecord parts, one <c>.rec</c>, image files; 0 for synthetic data).</param>
/// <param name="ValidationTargets">Full paths of the verification <c>.bin</c> files that go with it.</param>
/// <param name="ImageKey">The OFRecord feature holding the encoded image; null for other formats.</param>
/// <param name="LabelKey">The OFRecord feature holding the label; null for other formats.</param>
public sealed record DatasetSummary(string Name, DatasetFormat Format, string DatasetPath, int NumClasses, int NumImages,
    ImageSize? ImageSize, int Parts, IReadOnlyList<string> ValidationTargets, string? ImageKey = null, string? LabelKey = null)
{
    /// <summary>Summarises <paramref name="dataset"/>; the class count may read every label when no <c>property</c> gives it.</summary>
    public static DatasetSummary Of(IFaceDataset dataset)
    {
        var info = dataset.Info;
        var path = info.DatasetPath;
        var name = info.Format == DatasetFormat.Synthetic ? "synthetic" : Path.GetFileName(Path.TrimEndingDirectorySeparator(path));
        // Only train.rec is found from its folder; any other .rec is named itself, so the path opens it again.
        if (dataset is RecordIODataset rec && Path.GetFileName(rec.RecPath) != FaceRecordIOWriter.RecFileName)
            (path, name) = (rec.RecPath, Path.GetFileNameWithoutExtension(rec.RecPath));
        var parts = dataset as OFRecordDataset;
        return new DatasetSummary(name, info.Format, path, dataset.NumClasses, dataset.Count, info.ImageSize, info.Parts,
            info.ValidationTargets, parts?.ImageKey, parts?.LabelKey);
    }
}

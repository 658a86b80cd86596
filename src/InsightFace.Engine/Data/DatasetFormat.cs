namespace InsightFace.Engine.Data;

/// <summary>The on-disk formats a face dataset can have.</summary>
public enum DatasetFormat
{
    /// <summary>Detect the format from the files found.</summary>
    Auto,

    /// <summary>MXNet RecordIO: <c>train.rec</c>, <c>train.idx</c>, <c>property</c>.</summary>
    RecordIO,

    /// <summary>One sub-folder of JPEG/PNG images per identity.</summary>
    ImageFolder,

    /// <summary>OneFlow OFRecord parts: <c>part-*</c>.</summary>
    OFRecord,

    /// <summary>Generated in memory from a seed.</summary>
    Synthetic,
}

namespace InsightFace.Engine.Data;

/// <summary>
/// The stable error ids of dataset errors (<see cref="DatasetException.ErrorId"/>). The cmdlet layer uses them
/// as the first part of <c>FullyQualifiedErrorId</c>; tests and scripts can rely on them.
/// </summary>
public static class DatasetErrorIds
{
    /// <summary>The path does not exist, or holds no dataset of the requested format.</summary>
    public const string DatasetNotFound = nameof(DatasetNotFound);

    /// <summary>The <c>property</c> file is not <c>num_classes,height,width</c>.</summary>
    public const string DatasetPropertyInvalid = nameof(DatasetPropertyInvalid);

    /// <summary>A record's label is negative or not below the dataset's class count (from <c>property</c>).</summary>
    public const string DatasetLabelOutOfRange = nameof(DatasetLabelOutOfRange);

    /// <summary>A record's bytes are not an image that can be decoded; writers skip it.</summary>
    public const string DatasetImageUndecodable = nameof(DatasetImageUndecodable);

    /// <summary>A landmarks file line is not a path followed by 10 numbers.</summary>
    public const string DatasetLandmarksInvalid = nameof(DatasetLandmarksInvalid);

    /// <summary>An image is not a 112x112 aligned crop and has no landmarks to align it with; writers skip it.</summary>
    public const string DatasetImageNotAligned = nameof(DatasetImageNotAligned);

    /// <summary>The output already exists and overwriting was not allowed.</summary>
    public const string DatasetOutputExists = nameof(DatasetOutputExists);

    /// <summary>Writing the output failed (disk full, permissions); nothing complete-looking was left.</summary>
    public const string DatasetWriteFailed = nameof(DatasetWriteFailed);

    /// <summary>A <c>.rec</c> file ends inside a record header or payload.</summary>
    public const string RecordIOTruncated = nameof(RecordIOTruncated);

    /// <summary>A <c>.rec</c> chunk does not start with the RecordIO magic number.</summary>
    public const string RecordIOBadMagic = nameof(RecordIOBadMagic);

    /// <summary>Split-record chunks (cflag 1/2/3) are not in a valid order.</summary>
    public const string RecordIOSplitInvalid = nameof(RecordIOSplitInvalid);

    /// <summary>A record payload is too short for its IRHeader and extra labels.</summary>
    public const string RecordIOHeaderInvalid = nameof(RecordIOHeaderInvalid);

    /// <summary>An <c>.idx</c> line is not <c>key TAB offset</c>.</summary>
    public const string RecordIOIndexInvalid = nameof(RecordIOIndexInvalid);

    /// <summary>An <c>.idx</c> offset lies at or past the end of the <c>.rec</c> file.</summary>
    public const string RecordIOIndexPastEnd = nameof(RecordIOIndexPastEnd);

    /// <summary>An <c>.idx</c> offset lies inside a record instead of at its start.</summary>
    public const string RecordIOIndexBetweenRecords = nameof(RecordIOIndexBetweenRecords);

    /// <summary>An InsightFace header record names an image key that the file does not have.</summary>
    public const string RecordIOKeyMissing = nameof(RecordIOKeyMissing);

    /// <summary>The RecordIO writer was given images that are not sorted by label.</summary>
    public const string RecordIOLabelsNotSorted = nameof(RecordIOLabelsNotSorted);

    /// <summary>An image folder has no identity sub-folders.</summary>
    public const string ImageFolderEmpty = nameof(ImageFolderEmpty);

    /// <summary>An identity sub-folder holds no JPEG or PNG image.</summary>
    public const string ImageFolderIdentityEmpty = nameof(ImageFolderIdentityEmpty);

    /// <summary>An OFRecord part ends inside a length prefix or a record.</summary>
    public const string OFRecordTruncated = nameof(OFRecordTruncated);

    /// <summary>An OFRecord length prefix is zero or negative.</summary>
    public const string OFRecordLengthInvalid = nameof(OFRecordLengthInvalid);

    /// <summary>An OFRecord body is not a valid serialized <c>oneflow.OFRecord</c>.</summary>
    public const string OFRecordInvalid = nameof(OFRecordInvalid);

    /// <summary>An OFRecord lacks the image or label feature, or it has the wrong type or count.</summary>
    public const string OFRecordFeatureInvalid = nameof(OFRecordFeatureInvalid);
}

using InsightFace.Engine.Data.OFRecord.Proto;

namespace InsightFace.Engine.Data.OFRecord;

/// <summary>The list types an OFRecord feature can hold (the <c>kind</c> oneof of <c>oneflow.Feature</c>).</summary>
public enum OFRecordFeatureKind
{
    /// <summary>The feature is empty: no list was set.</summary>
    None,

    /// <summary><c>bytes_list</c>: byte strings (encoded images).</summary>
    Bytes,

    /// <summary><c>float_list</c>.</summary>
    Float,

    /// <summary><c>double_list</c>.</summary>
    Double,

    /// <summary><c>int32_list</c> (face labels as OneFlow's converters write them).</summary>
    Int32,

    /// <summary><c>int64_list</c> (labels from other writers).</summary>
    Int64,
}

/// <summary>One feature of an OFRecord: its kind and its values, whatever the key.</summary>
public sealed class OFRecordFeature
{
    private readonly Feature _feature;

    internal OFRecordFeature(Feature feature) => _feature = feature;

    /// <summary>Which list the feature holds.</summary>
    public OFRecordFeatureKind Kind => _feature.KindCase switch
    {
        Feature.KindOneofCase.BytesList => OFRecordFeatureKind.Bytes,
        Feature.KindOneofCase.FloatList => OFRecordFeatureKind.Float,
        Feature.KindOneofCase.DoubleList => OFRecordFeatureKind.Double,
        Feature.KindOneofCase.Int32List => OFRecordFeatureKind.Int32,
        Feature.KindOneofCase.Int64List => OFRecordFeatureKind.Int64,
        _ => OFRecordFeatureKind.None,
    };

    /// <summary>The number of values in the list.</summary>
    public int Count => _feature.KindCase switch
    {
        Feature.KindOneofCase.BytesList => _feature.BytesList.Value.Count,
        Feature.KindOneofCase.FloatList => _feature.FloatList.Value.Count,
        Feature.KindOneofCase.DoubleList => _feature.DoubleList.Value.Count,
        Feature.KindOneofCase.Int32List => _feature.Int32List.Value.Count,
        Feature.KindOneofCase.Int64List => _feature.Int64List.Value.Count,
        _ => 0,
    };

    /// <summary>The byte strings of a <see cref="OFRecordFeatureKind.Bytes"/> feature; empty for other kinds.</summary>
    public IReadOnlyList<byte[]> Bytes =>
        _feature.KindCase == Feature.KindOneofCase.BytesList ? _feature.BytesList.Value.Select(v => v.ToByteArray()).ToArray() : [];

    /// <summary>The values of a numeric feature as doubles (exact for every int32, float and double); empty for bytes.</summary>
    public IReadOnlyList<double> Numbers => _feature.KindCase switch
    {
        Feature.KindOneofCase.FloatList => _feature.FloatList.Value.Select(v => (double)v).ToArray(),
        Feature.KindOneofCase.DoubleList => _feature.DoubleList.Value.ToArray(),
        Feature.KindOneofCase.Int32List => _feature.Int32List.Value.Select(v => (double)v).ToArray(),
        Feature.KindOneofCase.Int64List => _feature.Int64List.Value.Select(v => (double)v).ToArray(),
        _ => [],
    };

    /// <summary>The values of an integer feature; empty for other kinds.</summary>
    public IReadOnlyList<long> Integers => _feature.KindCase switch
    {
        Feature.KindOneofCase.Int32List => _feature.Int32List.Value.Select(v => (long)v).ToArray(),
        Feature.KindOneofCase.Int64List => _feature.Int64List.Value.ToArray(),
        _ => [],
    };

    internal Feature Proto => _feature;
}

namespace InsightFace.Engine.Import.Mxnet;

/// <summary>MXNet's element types, numbered as mshadow's <c>TypeFlag</c> that <c>.params</c> files store.</summary>
public enum MxnetDType
{
    /// <summary>32-bit float.</summary>
    Float32 = 0,
    /// <summary>64-bit float.</summary>
    Float64 = 1,
    /// <summary>IEEE half precision.</summary>
    Float16 = 2,
    /// <summary>Unsigned byte.</summary>
    UInt8 = 3,
    /// <summary>32-bit integer.</summary>
    Int32 = 4,
    /// <summary>Signed byte.</summary>
    Int8 = 5,
    /// <summary>64-bit integer.</summary>
    Int64 = 6,
    /// <summary>One byte per boolean.</summary>
    Bool = 7,
    /// <summary>16-bit integer.</summary>
    Int16 = 8,
    /// <summary>Unsigned 16-bit integer.</summary>
    UInt16 = 9,
    /// <summary>Unsigned 32-bit integer.</summary>
    UInt32 = 10,
    /// <summary>Unsigned 64-bit integer.</summary>
    UInt64 = 11,
    /// <summary>bfloat16.</summary>
    BFloat16 = 12,
}

/// <summary>Facts about <see cref="MxnetDType"/> values.</summary>
public static class MxnetDTypeExtensions
{
    /// <summary>Bytes per element, or 0 for a value no MXNet version writes.</summary>
    public static int ElementSize(this MxnetDType dtype) => dtype switch
    {
        MxnetDType.UInt8 or MxnetDType.Int8 or MxnetDType.Bool => 1,
        MxnetDType.Float16 or MxnetDType.Int16 or MxnetDType.UInt16 or MxnetDType.BFloat16 => 2,
        MxnetDType.Float32 or MxnetDType.Int32 or MxnetDType.UInt32 => 4,
        MxnetDType.Float64 or MxnetDType.Int64 or MxnetDType.UInt64 => 8,
        _ => 0,
    };
}

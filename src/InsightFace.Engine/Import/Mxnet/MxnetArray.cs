namespace InsightFace.Engine.Import.Mxnet;

/// <summary>
/// One array of a <c>.params</c> file: its stored name (<c>arg:</c>/<c>aux:</c> prefix kept), shape, element
/// type and raw little-endian bytes in C order. <see cref="Data"/> is empty when only the listing was read.
/// </summary>
public sealed record MxnetArray(string Name, long[] Shape, MxnetDType DType, byte[] Data)
{
    /// <summary>True for an array MXNet saved as "none" (no shape, no data).</summary>
    public bool IsNone { get; init; }

    /// <summary>Number of elements (1 for a scalar, 0 for a "none" array).</summary>
    public long ElementCount => IsNone ? 0 : Shape.Aggregate(1L, (n, d) => n * d);

    /// <summary>The name without MXNet's <c>arg:</c> or <c>aux:</c> prefix.</summary>
    public string BareName => Name.StartsWith("arg:", StringComparison.Ordinal) || Name.StartsWith("aux:", StringComparison.Ordinal)
        ? Name[4..]
        : Name;

    /// <summary>The values as float32, converting float16 and float64 (the types MXNet stores weights in).</summary>
    public float[] ToSingles()
    {
        if (Data.Length != ElementCount * DType.ElementSize())
            throw new InvalidOperationException($"Array '{Name}' was listed without its data.");
        return DType switch
        {
            MxnetDType.Float32 => System.Runtime.InteropServices.MemoryMarshal.Cast<byte, float>(Data).ToArray(),
            MxnetDType.Float64 => System.Runtime.InteropServices.MemoryMarshal.Cast<byte, double>(Data).ToArray().Select(v => (float)v).ToArray(),
            MxnetDType.Float16 => System.Runtime.InteropServices.MemoryMarshal.Cast<byte, Half>(Data).ToArray().Select(v => (float)v).ToArray(),
            _ => throw new NotSupportedException($"Array '{Name}' holds {DType}, not a floating-point type."),
        };
    }
}

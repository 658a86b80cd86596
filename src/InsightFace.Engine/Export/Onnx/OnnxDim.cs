namespace InsightFace.Engine.Export.Onnx;

/// <summary>One dimension of a graph input or output: a fixed size, or a symbolic name such as the batch dimension.</summary>
public readonly record struct OnnxDim
{
    private OnnxDim(long? size, string? symbol) => (Size, Symbol) = (size, symbol);

    /// <summary>The fixed size, or null for a symbolic dimension.</summary>
    public long? Size { get; }

    /// <summary>The symbolic name, or null for a fixed dimension.</summary>
    public string? Symbol { get; }

    /// <summary>A dimension of fixed <paramref name="size"/>.</summary>
    public static OnnxDim Fixed(long size) => new(size, null);

    /// <summary>A dimension known only at run time, named <paramref name="name"/> (arcface_torch's export uses "None" for the batch).</summary>
    public static OnnxDim Symbolic(string name) => new(null, name);

    /// <summary>A fixed dimension.</summary>
    public static implicit operator OnnxDim(long size) => Fixed(size);
}

using InsightFace.Engine.Import;

namespace InsightFace;

/// <summary>One array of an MXNet .params file or one key of a PyTorch state dict, as Get-FaceModelInfo lists it.</summary>
public sealed class FaceModelArray
{
    /// <summary>The file the array is stored in.</summary>
    public string Path { get; set; } = "";
    /// <summary>The array's name (MXNet, with its arg:/aux: prefix) or the state dict key (PyTorch).</summary>
    public string Name { get; set; } = "";
    /// <summary>The dimensions; empty for a scalar.</summary>
    public long[] Shape { get; set; } = Array.Empty<long>();
    /// <summary>The element type, by numpy's name (float32, int64, ...).</summary>
    public string DType { get; set; } = "";
    /// <summary>Number of elements.</summary>
    public long Elements { get; set; }

    internal static FaceModelArray From(ModelArrayInfo info, string path) => new()
    {
        Path = path,
        Name = info.Name,
        Shape = info.Shape,
        DType = info.DType,
        Elements = info.Elements,
    };
}

using InsightFace.Engine.Import.Mxnet;
using InsightFace.Engine.Import.PyTorch;
using TorchSharp;

namespace InsightFace.Engine.Import;

/// <summary>One array of a weight file as stored: its name or key, shape and element type (numpy's names).</summary>
public sealed record ModelArrayInfo(string Name, long[] Shape, string DType)
{
    /// <summary>Number of elements.</summary>
    public long Elements => Shape.Aggregate(1L, (n, d) => n * d);

    /// <summary>
    /// Every array of an MXNet <c>.params</c> file (names with their <c>arg:</c>/<c>aux:</c> prefixes) or a PyTorch
    /// state dict (keys), in file order, without mapping them to a network.
    /// </summary>
    /// <exception cref="MxnetParamsFormatException">A malformed <c>.params</c> file.</exception>
    /// <exception cref="PthFormatException">A file that is not a readable PyTorch state dict.</exception>
    public static IReadOnlyList<ModelArrayInfo> List(string path)
    {
        if (ModelFiles.KindOf(path) == ModelFileKind.MxnetParams)
            return MxnetParamsReader.List(path).Select(a => new ModelArrayInfo(a.Name, a.Shape, a.IsNone ? "none" : a.DType.ToString().ToLowerInvariant())).ToList();
        using var state = PthReader.Read(path);
        return state.Keys.Select(k => new ModelArrayInfo(k, state[k].shape, DTypeName(state[k].dtype))).ToList();
    }

    private static string DTypeName(torch.ScalarType dtype) => dtype switch
    {
        torch.ScalarType.Byte => "uint8",
        _ => dtype.ToString().ToLowerInvariant(),
    };
}

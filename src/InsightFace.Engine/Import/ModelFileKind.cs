namespace InsightFace.Engine.Import;

/// <summary>The kinds of weight files Import-FaceModel and Get-FaceModelInfo read.</summary>
public enum ModelFileKind
{
    /// <summary>An MXNet NDArray list (<c>model-0000.params</c>).</summary>
    MxnetParams,

    /// <summary>A PyTorch <c>torch.save</c> file (<c>backbone.pth</c>, <c>model.pt</c>), zip or legacy.</summary>
    PyTorch,
}

/// <summary>Tells the kinds apart by content, not by extension.</summary>
public static class ModelFiles
{
    // mx.nd.save starts every file with this u64 (kMXAPINDArrayListMagic).
    private static ReadOnlySpan<byte> MxnetListMagic => [0x12, 0x01, 0, 0, 0, 0, 0, 0];

    /// <summary>An MXNet NDArray list when the file starts with its magic; anything else is read as PyTorch.</summary>
    public static ModelFileKind KindOf(string path)
    {
        Span<byte> start = stackalloc byte[8];
        using var file = File.OpenRead(path);
        var read = file.ReadAtLeast(start, 8, throwOnEndOfStream: false);
        return read == 8 && start.SequenceEqual(MxnetListMagic) ? ModelFileKind.MxnetParams : ModelFileKind.PyTorch;
    }
}

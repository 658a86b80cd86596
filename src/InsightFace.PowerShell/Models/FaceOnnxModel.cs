using InsightFace.Engine.Export.Onnx;

namespace InsightFace;

/// <summary>An ONNX model written by Export-FaceOnnx: input 'data' [N,3,112,112] RGB (x - 127.5)/127.5, one output [N,E].</summary>
public sealed class FaceOnnxModel
{
    /// <summary>The ONNX file; binds -ModelPath of Test-FaceVerification and Get-FaceEmbedding by property name.</summary>
    public string ModelPath { get; set; } = "";
    /// <summary>The backbone (r50, mbf, ...).</summary>
    public string Network { get; set; } = "";
    /// <summary>The default-domain ONNX opset.</summary>
    public int Opset { get; set; }
    /// <summary>The input's name: data.</summary>
    public string InputName { get; set; } = "";
    /// <summary>The embedding length of the output.</summary>
    public int EmbeddingSize { get; set; }
    /// <summary>True when BatchNorms after convs were folded into them.</summary>
    public bool FoldBatchNorm { get; set; }
    /// <summary>Largest absolute difference between ONNX Runtime and TorchSharp outputs; null unless -Verify was given.</summary>
    public double? MaxAbsDiff { get; set; }
    /// <summary>Largest absolute TorchSharp output in the comparison, the scale MaxAbsDiff is judged against; null unless verified.</summary>
    public double? OutputScale { get; set; }
    /// <summary>The checkpoint folder the model was exported from.</summary>
    public string CheckpointPath { get; set; } = "";
    /// <summary>Seconds spent building and serialising the graph.</summary>
    public double ExportSeconds { get; set; }

    internal static FaceOnnxModel From(FaceOnnxExport export, string checkpointPath) => new()
    {
        ModelPath = export.ModelPath,
        Network = export.Network,
        Opset = export.Opset,
        InputName = FaceOnnxGraph.InputName,
        EmbeddingSize = export.EmbeddingSize,
        FoldBatchNorm = export.FoldBatchNorm,
        MaxAbsDiff = export.Verification?.MaxAbsDiff,
        OutputScale = export.Verification?.Scale,
        CheckpointPath = checkpointPath,
        ExportSeconds = export.ExportSeconds,
    };
}

namespace InsightFace.Engine.Export.Onnx;

/// <summary>
/// The conventions of a face-recognition ONNX export, as arcface_torch's torch2onnx.py makes it: one input
/// <c>data</c> [None, 3, 112, 112] with a symbolic batch, one output [None, embedding], no normalisation inside
/// the graph. The expected preprocessing is written into <c>doc_string</c> and <c>metadata_props</c>.
/// </summary>
public static class FaceOnnxGraph
{
    /// <summary>The input's name.</summary>
    public const string InputName = "data";

    /// <summary>The symbolic batch dimension's name (torch2onnx.py sets <c>dim_param = "None"</c>).</summary>
    public const string BatchDim = "None";

    /// <summary>The preprocessing the model expects, for <c>doc_string</c>.</summary>
    public const string Preprocessing =
        "Input 'data': float32 NCHW [N, 3, 112, 112], RGB, normalised as (pixel - 127.5) / 127.5; the graph contains no normalisation. " +
        "Output: the unnormalised embedding [N, E]; L2-normalise it before comparing faces.";

    /// <summary>
    /// Starts a graph for <paramref name="network"/> with the input declared and the doc string and metadata set;
    /// returns the builder and the input's name to feed the first layer.
    /// </summary>
    public static (OnnxGraphBuilder Graph, string Input) Begin(string network, int embeddingSize, int opset = OnnxGraphBuilder.DefaultOpset, int imageSize = 112)
    {
        var graph = new OnnxGraphBuilder(network, opset) { DocString = Preprocessing };
        graph.AddMetadata("network", network);
        graph.AddMetadata("embedding_size", embeddingSize.ToString(System.Globalization.CultureInfo.InvariantCulture));
        graph.AddMetadata("input_mean", "127.5");
        graph.AddMetadata("input_std", "127.5");
        graph.AddMetadata("input_channel_order", "RGB");
        graph.AddInput(InputName, OnnxDim.Symbolic(BatchDim), 3, imageSize, imageSize);
        return (graph, InputName);
    }

    /// <summary>Declares <paramref name="output"/> as the single output [None, <paramref name="embeddingSize"/>].</summary>
    public static void End(OnnxGraphBuilder graph, string output, int embeddingSize) =>
        graph.AddOutput(output, OnnxDim.Symbolic(BatchDim), embeddingSize);
}

using Google.Protobuf;

namespace InsightFace.Engine.Evaluation;

/// <summary>
/// Reads the names of an ONNX model's first graph nodes straight from the protobuf, without loading the weights:
/// ModelProto.graph is field 7, GraphProto.node field 1, NodeProto.name field 3.
/// </summary>
internal static class OnnxGraphInspector
{
    private const int ModelGraphField = 7, GraphNodeField = 1, NodeNameField = 3;

    /// <summary>The names of the first <paramref name="count"/> nodes, in graph order.</summary>
    public static IReadOnlyList<string> FirstNodeNames(string modelPath, int count)
    {
        using var file = File.OpenRead(modelPath);
        var input = new CodedInputStream(file);
        var names = new List<string>();
        for (uint tag; (tag = input.ReadTag()) != 0;)
        {
            if (WireFormat.GetTagFieldNumber(tag) != ModelGraphField)
            {
                input.SkipLastField();
                continue;
            }
            // Step into the graph: its fields follow directly; nodes come before the initializers.
            var graphEnd = input.Position + input.ReadLength();
            while (names.Count < count && input.Position < graphEnd && (tag = input.ReadTag()) != 0)
            {
                if (WireFormat.GetTagFieldNumber(tag) == GraphNodeField) names.Add(NodeName(input.ReadBytes()));
                else input.SkipLastField();
            }
            break;
        }
        return names;
    }

    private static string NodeName(ByteString node)
    {
        var input = node.CreateCodedInput();
        for (uint tag; (tag = input.ReadTag()) != 0;)
        {
            if (WireFormat.GetTagFieldNumber(tag) == NodeNameField) return input.ReadString();
            input.SkipLastField();
        }
        return "";
    }

    /// <summary>
    /// InsightFace's rule (onnx_helper.py, model_zoo ArcFaceONNX): a node named Sub… or _minus… and one named
    /// Mul… or _mul… among the first 8 mean the graph normalises its input itself, as MXNet exports do.
    /// </summary>
    public static bool NormalisesInput(string modelPath)
    {
        var names = FirstNodeNames(modelPath, 8);
        return names.Any(n => n.StartsWith("Sub", StringComparison.Ordinal) || n.StartsWith("_minus", StringComparison.Ordinal))
            && names.Any(n => n.StartsWith("Mul", StringComparison.Ordinal) || n.StartsWith("_mul", StringComparison.Ordinal));
    }
}

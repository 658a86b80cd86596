using Google.Protobuf;

namespace InsightFace.Engine.Tests.Evaluation;

/// <summary>
/// Tiny ONNX models written field by field from onnx.proto (ModelProto.graph = 7, GraphProto.node = 1,
/// initializer = 5, input = 11, output = 12, ...), so the tests need neither Python nor generated classes.
/// </summary>
internal static class TinyOnnx
{
    /// <summary>
    /// data [batch, 3, size, size] → GlobalAveragePool → Flatten: the mean of each channel, [batch, 3]; with
    /// <paramref name="quadrants"/>, AveragePool 56x56 stride 56 instead: channel means per quadrant, [batch, 12].
    /// </summary>
    public static byte[] ChannelMeans(string batch = "N", int size = 112, bool flatten = true, bool mxnetNormalisation = false,
        bool quadrants = false)
    {
        var nodes = new List<byte[]>();
        var initializers = new List<byte[]>();
        var current = "data";
        if (mxnetNormalisation)
        {
            // As MXNet exports carry it: (x − 127.5) · 0.0078125 in nodes named _minusscalar0 and _mulscalar0.
            initializers.Add(ScalarTensor("mean", 127.5f));
            initializers.Add(ScalarTensor("scale", 0.0078125f));
            nodes.Add(Node("_minusscalar0", "Sub", [current, "mean"], "centred"));
            nodes.Add(Node("_mulscalar0", "Mul", ["centred", "scale"], "scaled"));
            current = "scaled";
        }
        nodes.Add(quadrants
            ? Node("AveragePool_0", "AveragePool", [current], "pooled", Ints("kernel_shape", 56, 56), Ints("strides", 56, 56))
            : Node("GlobalAveragePool_0", "GlobalAveragePool", [current], "pooled"));
        var features = quadrants ? "12" : "3";
        var output = "pooled";
        if (flatten)
        {
            nodes.Add(Node("Flatten_1", "Flatten", ["pooled"], "embedding"));
            output = "embedding";
        }

        var graph = new Message();
        foreach (var node in nodes) graph.Bytes(1, node);
        graph.String(2, "tiny");
        foreach (var tensor in initializers) graph.Bytes(5, tensor);
        graph.Bytes(11, ValueInfo("data", [batch, "3", size.ToString(), size.ToString()]));
        graph.Bytes(12, ValueInfo(output, flatten ? [batch, features] : [batch, "3", "1", "1"]));

        return new Message()
            .Varint(1, 7)                                             // ir_version
            .String(2, "InsightFace tests")                           // producer_name
            .Bytes(7, graph.ToArray())                                // graph
            .Bytes(8, new Message().String(1, "").Varint(2, 11).ToArray()) // opset_import: ai.onnx 11
            .ToArray();
    }

    /// <summary>
    /// <see cref="FixedConvWeights"/> as Conv 8x8 stride 8 (no bias) → AveragePool 7x7 stride 7 → Flatten: [N, 32].
    /// </summary>
    public static byte[] FixedConv()
    {
        var weights = new Message().Varint(1, 8).Varint(1, 3).Varint(1, 8).Varint(1, 8).Varint(2, 1).String(8, "weight")
            .Bytes(9, FixedConvWeights().SelectMany(BitConverter.GetBytes).ToArray()).ToArray();
        var graph = new Message()
            .Bytes(1, Node("Conv_0", "Conv", ["data", "weight"], "features", Ints("kernel_shape", 8, 8), Ints("strides", 8, 8)))
            .Bytes(1, Node("AveragePool_1", "AveragePool", ["features"], "pooled", Ints("kernel_shape", 7, 7), Ints("strides", 7, 7)))
            .Bytes(1, Node("Flatten_2", "Flatten", ["pooled"], "embedding"))
            .String(2, "fixed-conv")
            .Bytes(5, weights)
            .Bytes(11, ValueInfo("data", ["N", "3", "112", "112"]))
            .Bytes(12, ValueInfo("embedding", ["N", "32"]));
        return new Message().Varint(1, 7).String(2, "InsightFace tests").Bytes(7, graph.ToArray())
            .Bytes(8, new Message().String(1, "").Varint(2, 11).ToArray()).ToArray();
    }

    /// <summary>Conv weights [8, 3, 8, 8] from an exact rational formula, so Python and C# build the same ones.</summary>
    public static float[] FixedConvWeights() =>
        Enumerable.Range(0, 8 * 3 * 8 * 8).Select(i => (float)(((i * 37) % 101 - 50) / 500.0)).ToArray();

    private static byte[] Node(string name, string op, string[] inputs, string output, params byte[][] attributes)
    {
        var node = new Message();
        foreach (var input in inputs) node.String(1, input);
        node.String(2, output).String(3, name).String(4, op);
        foreach (var attribute in attributes) node.Bytes(5, attribute);
        return node.ToArray();
    }

    /// <summary>AttributeProto: name = 1, ints = 8, type = 20 (INTS = 7).</summary>
    private static byte[] Ints(string name, params long[] values)
    {
        var attribute = new Message().String(1, name);
        foreach (var value in values) attribute.Varint(8, value);
        return attribute.Varint(20, 7).ToArray();
    }

    private static byte[] ScalarTensor(string name, float value) =>
        new Message().Varint(2, 1).String(8, name).Bytes(9, BitConverter.GetBytes(value)).ToArray();

    /// <summary>A float tensor value; a numeric dim is dim_value, anything else dim_param.</summary>
    private static byte[] ValueInfo(string name, string[] dims)
    {
        var shape = new Message();
        foreach (var dim in dims)
            shape.Bytes(1, long.TryParse(dim, out var value) ? new Message().Varint(1, value).ToArray() : new Message().String(2, dim).ToArray());
        var tensorType = new Message().Varint(1, 1).Bytes(2, shape.ToArray());
        return new Message().String(1, name).Bytes(2, new Message().Bytes(1, tensorType.ToArray()).ToArray()).ToArray();
    }

    private sealed class Message
    {
        private readonly MemoryStream _buffer = new();
        private readonly CodedOutputStream _output;

        public Message() => _output = new CodedOutputStream(_buffer);

        public Message Varint(int field, long value)
        {
            _output.WriteTag(field, WireFormat.WireType.Varint);
            _output.WriteInt64(value);
            return this;
        }

        public Message String(int field, string value)
        {
            _output.WriteTag(field, WireFormat.WireType.LengthDelimited);
            _output.WriteString(value);
            return this;
        }

        public Message Bytes(int field, byte[] value)
        {
            _output.WriteTag(field, WireFormat.WireType.LengthDelimited);
            _output.WriteBytes(ByteString.CopyFrom(value));
            return this;
        }

        public byte[] ToArray()
        {
            _output.Flush();
            return _buffer.ToArray();
        }
    }
}

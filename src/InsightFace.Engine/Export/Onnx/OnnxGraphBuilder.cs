using System.Reflection;
using System.Runtime.InteropServices;
using Google.Protobuf;
using InsightFace.Engine.Export.Onnx.Proto;
using InsightFace.Engine.Files;

namespace InsightFace.Engine.Export.Onnx;

/// <summary>
/// Builds an ONNX model node by node: float32 initializers, nodes with attributes, inputs and outputs (symbolic
/// dimensions allowed), doc string and metadata. The IR version and the default-domain opset import follow the
/// chosen opset, and the producer is this module.
/// </summary>
public sealed class OnnxGraphBuilder
{
    /// <summary>The opset written when none is given, as arcface_torch's torch2onnx.py.</summary>
    public const int DefaultOpset = 11;

    /// <summary>The lowest opset we write.</summary>
    public const int MinOpset = 11;

    /// <summary>The highest opset we write (ONNX 1.12).</summary>
    public const int MaxOpset = 17;

    /// <summary>The <c>producer_name</c> written into every model.</summary>
    public const string ProducerName = "InsightFace for PowerShell";

    private readonly GraphProto _graph;
    private readonly ModelProto _model;
    private readonly HashSet<string> _values = new(StringComparer.Ordinal);

    /// <summary>Starts an empty graph named <paramref name="graphName"/> for <paramref name="opset"/> (11 to 17).</summary>
    public OnnxGraphBuilder(string graphName, int opset = DefaultOpset)
    {
        if (opset is < MinOpset or > MaxOpset)
            throw new ArgumentOutOfRangeException(nameof(opset), opset, $"ONNX opset {opset} is not supported; expected {MinOpset} to {MaxOpset}.");
        Opset = opset;
        _graph = new GraphProto { Name = graphName };
        _model = new ModelProto
        {
            IrVersion = IrVersionFor(opset),
            ProducerName = ProducerName,
            ProducerVersion = typeof(OnnxGraphBuilder).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "0",
            Graph = _graph,
        };
        _model.OpsetImport.Add(new OperatorSetIdProto { Domain = "", Version = opset });
    }

    /// <summary>The default-domain opset the model imports.</summary>
    public int Opset { get; }

    /// <summary>The IR version written: the one ONNX released with <see cref="Opset"/>.</summary>
    public long IrVersion => _model.IrVersion;

    /// <summary>The model's human-readable documentation (ModelProto.doc_string).</summary>
    public string DocString
    {
        get => _model.DocString;
        set => _model.DocString = value;
    }

    /// <summary>Adds a <c>metadata_props</c> entry; keys must be distinct.</summary>
    public void AddMetadata(string key, string value)
    {
        if (_model.MetadataProps.Any(p => p.Key == key))
            throw new ArgumentException($"Metadata key '{key}' was already added.", nameof(key));
        _model.MetadataProps.Add(new StringStringEntryProto { Key = key, Value = value });
    }

    /// <summary>Declares a float32 graph input.</summary>
    public void AddInput(string name, params OnnxDim[] shape)
    {
        Declare(name);
        _graph.Input.Add(ValueInfo(name, shape));
    }

    /// <summary>Declares a float32 graph output; <paramref name="name"/> must be produced by a node.</summary>
    public void AddOutput(string name, params OnnxDim[] shape) => _graph.Output.Add(ValueInfo(name, shape));

    /// <summary>Adds a float32 constant (stored as raw little-endian bytes) and returns its name.</summary>
    public string AddInitializer(string name, float[] values, params long[] shape)
    {
        if (values.LongLength != shape.Aggregate(1L, (n, d) => n * d))
            throw new ArgumentException($"Initializer '{name}' has {values.Length} values for shape [{string.Join(", ", shape)}].", nameof(values));
        Declare(name);
        _graph.Initializer.Add(FloatTensor(name, values, shape));
        return name;
    }

    /// <summary>Adds a node of <paramref name="opType"/> (default domain) and returns its first output's name.</summary>
    public string AddNode(string opType, string name, IReadOnlyList<string> inputs, IReadOnlyList<string> outputs, params OnnxAttribute[] attributes)
    {
        // An empty name is ONNX's way of leaving out an optional input.
        if (inputs.FirstOrDefault(i => i.Length > 0 && !_values.Contains(i)) is { } undefined)
            throw new ArgumentException($"Node '{name}' ({opType}) reads '{undefined}', which no input, initializer or earlier node defines.", nameof(inputs));
        foreach (var output in outputs) Declare(output);
        _graph.Node.Add(Node(opType, name, inputs, outputs, attributes));
        return outputs[0];
    }

    /// <summary>A float32 tensor stored as raw little-endian bytes.</summary>
    internal static TensorProto FloatTensor(string name, float[] values, params long[] shape)
    {
        var tensor = new TensorProto
        {
            Name = name,
            DataType = (int)TensorProto.Types.DataType.Float,
            RawData = ByteString.CopyFrom(MemoryMarshal.AsBytes(values.AsSpan())),
        };
        tensor.Dims.AddRange(shape);
        return tensor;
    }

    /// <summary>A default-domain node.</summary>
    internal static NodeProto Node(string opType, string name, IReadOnlyList<string> inputs, IReadOnlyList<string> outputs, params OnnxAttribute[] attributes)
    {
        var node = new NodeProto { OpType = opType, Name = name };
        node.Input.AddRange(inputs);
        node.Output.AddRange(outputs);
        node.Attribute.AddRange(attributes.Select(a => a.Proto));
        return node;
    }

    /// <summary>The serialized model.</summary>
    public byte[] ToBytes()
    {
        foreach (var output in _graph.Output.Where(o => !_values.Contains(o.Name)))
            throw new InvalidOperationException($"Graph output '{output.Name}' is not produced by any node.");
        return _model.ToByteArray();
    }

    /// <summary>Writes the model to <paramref name="path"/> through a temporary file.</summary>
    /// <exception cref="OutputExistsException"><paramref name="path"/> exists and <paramref name="overwrite"/> is false.</exception>
    public void Save(string path, bool overwrite)
    {
        var bytes = ToBytes();
        AtomicFile.Write(path, overwrite, stream => stream.Write(bytes));
    }

    // The IR version each ONNX release wrote with its newest opset (onnx/docs/Versioning.md).
    private static long IrVersionFor(int opset) => opset switch
    {
        11 => 6,
        <= 14 => 7,
        _ => 8,
    };

    private void Declare(string name)
    {
        if (!_values.Add(name))
            throw new ArgumentException($"Value '{name}' is already defined in the graph.", nameof(name));
    }

    private static ValueInfoProto ValueInfo(string name, OnnxDim[] shape)
    {
        var tensorShape = new TensorShapeProto();
        foreach (var dim in shape)
            tensorShape.Dim.Add(dim.Symbol is { } symbol
                ? new TensorShapeProto.Types.Dimension { DimParam = symbol }
                : new TensorShapeProto.Types.Dimension { DimValue = dim.Size!.Value });
        return new ValueInfoProto
        {
            Name = name,
            Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = (int)TensorProto.Types.DataType.Float, Shape = tensorShape } },
        };
    }
}

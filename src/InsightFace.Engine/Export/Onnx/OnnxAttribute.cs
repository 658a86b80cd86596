using InsightFace.Engine.Export.Onnx.Proto;

namespace InsightFace.Engine.Export.Onnx;

/// <summary>A node attribute (ONNX <c>AttributeProto</c>) of one of the scalar or list types our graphs use.</summary>
public sealed class OnnxAttribute
{
    private OnnxAttribute(AttributeProto proto) => Proto = proto;

    internal AttributeProto Proto { get; }

    /// <summary>The attribute's name.</summary>
    public string Name => Proto.Name;

    /// <summary>An integer attribute.</summary>
    public static OnnxAttribute Int(string name, long value) =>
        new(new AttributeProto { Name = name, Type = AttributeProto.Types.AttributeType.Int, I = value });

    /// <summary>An integer list attribute, such as <c>strides</c> or <c>pads</c>.</summary>
    public static OnnxAttribute Ints(string name, params long[] values)
    {
        var proto = new AttributeProto { Name = name, Type = AttributeProto.Types.AttributeType.Ints };
        proto.Ints.AddRange(values);
        return new(proto);
    }

    /// <summary>A float attribute, such as <c>epsilon</c>.</summary>
    public static OnnxAttribute Float(string name, float value) =>
        new(new AttributeProto { Name = name, Type = AttributeProto.Types.AttributeType.Float, F = value });
}

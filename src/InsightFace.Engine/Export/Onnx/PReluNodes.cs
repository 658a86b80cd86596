namespace InsightFace.Engine.Export.Onnx;

/// <summary>How <see cref="BackboneOnnxWriter"/> writes a per-channel PReLU on feature maps.</summary>
public enum PReluNodes
{
    /// <summary>One PRelu node: the standard form, which every runtime and InsightFace's own exports use.</summary>
    PRelu,

    /// <summary>
    /// Relu(x) + DepthwiseConv(Relu(DepthwiseConv(x, −1)), −slope): PReLU's values bit for bit. ONNX Runtime's CPU
    /// provider runs these inside its blocked convolution layout with the Relu and the Add fused into the convs,
    /// where its PRelu node runs outside it, slowly: mbf runs about 2× faster, r50 1.2–1.4× (bench/OnnxBench).
    /// Other nodes may then run in the blocked layout too (an IResNet block's leading BatchNorm), which rounds
    /// differently: mbf's embeddings stay bit for bit, r18's move by float32 rounding.
    /// </summary>
    ReluAndDepthwiseConvs,
}

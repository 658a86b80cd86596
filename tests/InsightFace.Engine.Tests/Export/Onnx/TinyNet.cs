using InsightFace.Engine.Export.Onnx;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace InsightFace.Engine.Tests.Export.Onnx;

/// <summary>conv-BN-PReLU, depthwise conv-BN with a residual add, flatten, linear, BN1d; non-trivial BN statistics.</summary>
public sealed class TinyNet : nn.Module<Tensor, Tensor>
{
    public const int Size = 12;
    public const int Embedding = 16;

    private readonly Conv2d conv1 = nn.Conv2d(3, 8, 3, padding: 1, bias: false);
    private readonly BatchNorm2d bn1 = nn.BatchNorm2d(8, eps: 1e-5);
    private readonly PReLU prelu = nn.PReLU(8);
    private readonly Conv2d dw = nn.Conv2d(8, 8, 3, padding: 1, groups: 8, bias: false);
    private readonly BatchNorm2d bn2 = nn.BatchNorm2d(8, eps: 2e-5);
    private readonly Flatten flatten = nn.Flatten();
    private readonly Linear fc = nn.Linear(8 * Size * Size, Embedding);
    private readonly BatchNorm1d features = nn.BatchNorm1d(Embedding, eps: 1e-5);

    public TinyNet(int seed) : base(nameof(TinyNet))
    {
        RegisterComponents();
        var generator = new Generator((ulong)seed);
        using (torch.no_grad())
            foreach (var (name, tensor) in state_dict())
            {
                if (name.EndsWith("num_batches_tracked", StringComparison.Ordinal)) continue;
                var random = torch.rand(tensor.shape, generator: generator);
                // Variances in [0.5, 1.5), slopes and gammas positive and varied, the rest around 0.
                tensor.copy_(name.EndsWith("running_var", StringComparison.Ordinal) ? random + 0.5
                    : name.Contains("prelu") || (name.EndsWith("weight", StringComparison.Ordinal) && tensor.dim() == 1) ? random * 0.5 + 0.25
                    : (random - 0.5) * (name.StartsWith("fc", StringComparison.Ordinal) ? 0.1 : 1.0));
            }
        eval();
    }

    public override Tensor forward(Tensor x)
    {
        var y = prelu.forward(bn1.forward(conv1.forward(x)));
        y = bn2.forward(dw.forward(y)) + y;
        return features.forward(fc.forward(flatten.forward(y)));
    }

    public float[] Embed(Tensor x)
    {
        using var scope = torch.NewDisposeScope();
        using var noGrad = torch.no_grad();
        return forward(x).data<float>().ToArray();
    }

    public OnnxGraphBuilder Export(bool foldBatchNorm, int opset)
    {
        var (graph, x) = FaceOnnxGraph.Begin("tiny", Embedding, opset, imageSize: Size);
        x = foldBatchNorm
            ? OnnxLayers.Conv(graph, "conv1", x, conv1, bn1)
            : OnnxLayers.BatchNorm(graph, "bn1", OnnxLayers.Conv(graph, "conv1", x, conv1), bn1);
        x = OnnxLayers.PRelu(graph, "prelu", x, prelu);
        var y = foldBatchNorm
            ? OnnxLayers.Conv(graph, "dw", x, dw, bn2)
            : OnnxLayers.BatchNorm(graph, "bn2", OnnxLayers.Conv(graph, "dw", x, dw), bn2);
        x = OnnxLayers.Add(graph, "add", y, x);
        x = OnnxLayers.Gemm(graph, "fc", OnnxLayers.Flatten(graph, "flatten", x), fc);
        x = OnnxLayers.BatchNorm(graph, "features", x, features);
        FaceOnnxGraph.End(graph, x, Embedding);
        return graph;
    }
}

using InsightFace.Engine.Export;
using InsightFace.Engine.Export.Onnx;
using InsightFace.Engine.Export.Onnx.Proto;
using Microsoft.ML.OnnxRuntime;
using DenseTensor = Microsoft.ML.OnnxRuntime.Tensors.DenseTensor<float>;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace InsightFace.Engine.Tests.Export.Onnx;

/// <summary>
/// A small network with every layer kind the backbones use (conv, depthwise conv, BN2d, PReLU, residual add,
/// flatten, linear, BN1d), written with <see cref="OnnxLayers"/> and run in ONNX Runtime against TorchSharp.
/// </summary>
public class OnnxExportTests : IDisposable
{
    private const int Size = 12;
    private readonly string _dir = Directory.CreateTempSubdirectory("onnx-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Theory]
    [InlineData(false, 1)]
    [InlineData(false, 7)]
    [InlineData(true, 1)]
    [InlineData(true, 7)]
    public void Onnx_runtime_computes_what_TorchSharp_computes(bool foldBatchNorm, int batch)
    {
        using var net = new TinyNet(seed: 3);
        var bytes = net.Export(foldBatchNorm, OnnxGraphBuilder.DefaultOpset).ToBytes();
        using var input = torch.rand([batch, 3, Size, Size], generator: new Generator(11)) * 2 - 1;

        var expected = net.Embed(input);
        var actual = RunOnnx(bytes, input);

        Assert.Equal(expected.Length, actual.Length);
        var scale = expected.Max(Math.Abs);
        var maxAbsDiff = expected.Zip(actual, (e, a) => Math.Abs(e - a)).Max();
        Assert.True(scale > 0.1, $"embedding scale {scale} too small to compare");
        Assert.True(maxAbsDiff <= 1e-5 * Math.Max(1, scale), $"MaxAbsDiff {maxAbsDiff} at embedding scale {scale}");
    }

    [Fact]
    public void Folding_removes_the_BatchNormalization_after_each_conv_only()
    {
        using var net = new TinyNet(seed: 3);
        var plain = ModelProto.Parser.ParseFrom(net.Export(foldBatchNorm: false, 11).ToBytes());
        var folded = ModelProto.Parser.ParseFrom(net.Export(foldBatchNorm: true, 11).ToBytes());

        Assert.Equal(["Conv", "BatchNormalization", "PRelu", "Conv", "BatchNormalization", "Add", "Flatten", "Gemm", "BatchNormalization"],
            plain.Graph.Node.Select(n => n.OpType));
        Assert.Equal(["Conv", "PRelu", "Conv", "Add", "Flatten", "Gemm", "BatchNormalization"], folded.Graph.Node.Select(n => n.OpType));
        Assert.Equal([8L, 1, 1], plain.Graph.Initializer.Single(t => t.Name == "prelu.weight").Dims);
        Assert.Equal(8, plain.Graph.Node.Single(n => n.Name == "dw").Attribute.Single(a => a.Name == "group").I);
    }

    [Fact]
    public void Folded_weights_match_a_float64_computation_by_hand()
    {
        using var conv = nn.Conv2d(2, 2, 1, bias: true);
        using var bn = nn.BatchNorm2d(2, eps: 1e-3);
        using (torch.no_grad())
        {
            conv.weight!.copy_(torch.tensor(new float[] { 1, 2, 3, 4 }, [2, 2, 1, 1]));
            conv.bias!.copy_(torch.tensor(new float[] { 0.5f, -1 }));
            bn.weight!.copy_(torch.tensor(new float[] { 2, 0.5f }));
            bn.bias!.copy_(torch.tensor(new float[] { 0.25f, 1 }));
            bn.running_mean!.copy_(torch.tensor(new float[] { 1, -2 }));
            bn.running_var!.copy_(torch.tensor(new float[] { 3, 0.04f }));
        }
        var graph = new OnnxGraphBuilder("fold");
        graph.AddInput("x", OnnxDim.Symbolic("N"), 2, 1, 1);
        OnnxLayers.Conv(graph, "conv", "x", conv, bn);
        var tensors = ModelProto.Parser.ParseFrom(graph.ToBytes()).Graph.Initializer.ToDictionary(t => t.Name, Floats);

        double s0 = 2 / Math.Sqrt(3 + 1e-3), s1 = 0.5 / Math.Sqrt(0.04f + 1e-3);
        Assert.Equal([1 * s0, 2 * s0, 3 * s1, 4 * s1], tensors["conv.weight"].Select(v => (double)v), new Tolerance(1e-6));
        Assert.Equal([(0.5 - 1) * s0 + 0.25, (-1 + 2) * s1 + 1], tensors["conv.bias"].Select(v => (double)v), new Tolerance(1e-6));
    }

    [Theory]
    [InlineData(11, 6)]
    [InlineData(13, 7)]
    [InlineData(17, 8)]
    public void Model_header_names_the_ir_version_opset_producer_and_symbolic_batch(int opset, long irVersion)
    {
        using var net = new TinyNet(seed: 1);
        var model = ModelProto.Parser.ParseFrom(net.Export(false, opset).ToBytes());

        Assert.Equal(irVersion, model.IrVersion);
        Assert.Equal(opset, model.OpsetImport.Single(o => o.Domain == "").Version);
        Assert.Equal(OnnxGraphBuilder.ProducerName, model.ProducerName);
        Assert.Contains("127.5", model.DocString);
        Assert.Equal("RGB", model.MetadataProps.Single(p => p.Key == "input_channel_order").Value);
        var input = Assert.Single(model.Graph.Input);
        Assert.Equal("data", input.Name);
        Assert.Equal("None", input.Type.TensorType.Shape.Dim[0].DimParam);
        Assert.Equal([3L, Size, Size], input.Type.TensorType.Shape.Dim.Skip(1).Select(d => d.DimValue));
        Assert.Single(model.Graph.Output);
        Assert.All(model.Graph.Initializer, t => Assert.Equal((int)TensorProto.Types.DataType.Float, t.DataType));
    }

    [Theory]
    [InlineData(10)]
    [InlineData(18)]
    public void Opsets_outside_11_to_17_are_refused(int opset)
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => new OnnxGraphBuilder("g", opset));
        Assert.Contains("expected 11 to 17", e.Message);
    }

    [Fact]
    public void A_node_reading_an_undefined_value_is_refused()
    {
        var graph = new OnnxGraphBuilder("g");
        graph.AddInput("data", 1);
        var e = Assert.Throws<ArgumentException>(() => graph.AddNode("Add", "add", ["data", "missing"], ["y"]));
        Assert.Contains("'missing'", e.Message);
    }

    [Fact]
    public void An_existing_output_is_kept_without_overwrite_and_replaced_with_it()
    {
        using var net = new TinyNet(seed: 1);
        var graph = net.Export(false, 11);
        var path = Path.Combine(_dir, "model.onnx");
        File.WriteAllText(path, "keep me");

        var e = Assert.Throws<OutputExistsException>(() => graph.Save(path, overwrite: false));

        Assert.Equal("OutputExists", e.ErrorId);
        Assert.Contains(path, e.Message);
        Assert.Equal("keep me", File.ReadAllText(path));
        Assert.Single(Directory.GetFiles(_dir)); // no temporary file left behind

        graph.Save(path, overwrite: true);
        Assert.Equal(graph.ToBytes(), File.ReadAllBytes(path));
        Assert.Single(Directory.GetFiles(_dir));
    }

    [PythonModuleFact("onnx")]
    public void Onnx_checker_accepts_the_model()
    {
        using var net = new TinyNet(seed: 5);
        foreach (var opset in new[] { 11, 17 })
        {
            var path = Path.Combine(_dir, $"tiny-{opset}.onnx");
            net.Export(foldBatchNorm: true, opset).Save(path, overwrite: false);

            var (exitCode, output) = PythonModuleFactAttribute.Run(
                "import onnx, sys; m = onnx.load(sys.argv[1]); onnx.checker.check_model(m, full_check=True); print(m.ir_version)", path);

            Assert.True(exitCode == 0, output);
        }
    }

    private static float[] Floats(TensorProto tensor) =>
        System.Runtime.InteropServices.MemoryMarshal.Cast<byte, float>(tensor.RawData.Span).ToArray();

    private static float[] RunOnnx(byte[] model, Tensor input)
    {
        using var session = new InferenceSession(model);
        var dense = new DenseTensor(input.data<float>().ToArray(), input.shape.Select(d => (int)d).ToArray());
        using var results = session.Run([NamedOnnxValue.CreateFromTensor("data", dense)]);
        return results.Single().AsEnumerable<float>().ToArray();
    }

    private sealed class Tolerance(double epsilon) : IEqualityComparer<double>
    {
        public bool Equals(double x, double y) => Math.Abs(x - y) <= epsilon;

        public int GetHashCode(double obj) => 0;
    }

    /// <summary>conv-BN-PReLU, depthwise conv-BN with a residual add, flatten, linear, BN1d; non-trivial BN statistics.</summary>
    private sealed class TinyNet : nn.Module<Tensor, Tensor>
    {
        private readonly Conv2d conv1 = nn.Conv2d(3, 8, 3, padding: 1, bias: false);
        private readonly BatchNorm2d bn1 = nn.BatchNorm2d(8, eps: 1e-5);
        private readonly PReLU prelu = nn.PReLU(8);
        private readonly Conv2d dw = nn.Conv2d(8, 8, 3, padding: 1, groups: 8, bias: false);
        private readonly BatchNorm2d bn2 = nn.BatchNorm2d(8, eps: 2e-5);
        private readonly Flatten flatten = nn.Flatten();
        private readonly Linear fc = nn.Linear(8 * Size * Size, 16);
        private readonly BatchNorm1d features = nn.BatchNorm1d(16, eps: 1e-5);

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
            var graph = new OnnxGraphBuilder("tiny", opset)
            {
                DocString = "Input: RGB, (x - 127.5) / 127.5, NCHW.",
            };
            graph.AddMetadata("input_channel_order", "RGB");
            graph.AddInput("data", OnnxDim.Symbolic("None"), 3, Size, Size);
            var x = foldBatchNorm
                ? OnnxLayers.Conv(graph, "conv1", "data", conv1, bn1)
                : OnnxLayers.BatchNorm(graph, "bn1", OnnxLayers.Conv(graph, "conv1", "data", conv1), bn1);
            x = OnnxLayers.PRelu(graph, "prelu", x, prelu);
            var y = foldBatchNorm
                ? OnnxLayers.Conv(graph, "dw", x, dw, bn2)
                : OnnxLayers.BatchNorm(graph, "bn2", OnnxLayers.Conv(graph, "dw", x, dw), bn2);
            x = OnnxLayers.Add(graph, "add", y, x);
            x = OnnxLayers.Gemm(graph, "fc", OnnxLayers.Flatten(graph, "flatten", x), fc);
            x = OnnxLayers.BatchNorm(graph, "features", x, features);
            graph.AddOutput(x, OnnxDim.Symbolic("None"), 16);
            return graph;
        }
    }
}

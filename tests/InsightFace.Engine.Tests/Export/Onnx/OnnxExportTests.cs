using InsightFace.Engine.Tests.Support;
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
/// <see cref="TinyNet"/> has every layer kind the backbones use (conv, depthwise conv, BN2d, PReLU, residual add,
/// flatten, linear, BN1d); it is written with <see cref="OnnxLayers"/> and run in ONNX Runtime against TorchSharp.
/// </summary>
public class OnnxExportTests : IDisposable
{
    private const int Size = TinyNet.Size;
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
    public void A_bias_free_Gemm_and_a_shared_PRelu_slope_run_as_in_TorchSharp()
    {
        using var linear = nn.Linear(6, 5, hasBias: false);
        using var prelu = nn.PReLU(1, init: 0.2);
        var graph = new OnnxGraphBuilder("head");
        graph.AddInput("x", OnnxDim.Symbolic("N"), 6);
        var y = OnnxLayers.PRelu(graph, "prelu", OnnxLayers.Gemm(graph, "fc", "x", linear), prelu);
        graph.AddOutput(y, OnnxDim.Symbolic("N"), 5);
        using var input = torch.randn([3, 6], generator: new Generator(1));

        float[] expected;
        using (torch.no_grad()) expected = prelu.forward(linear.forward(input)).data<float>().ToArray();
        var actual = RunOnnx(graph.ToBytes(), input, "x");

        Assert.Equal(2, ModelProto.Parser.ParseFrom(graph.ToBytes()).Graph.Node[0].Input.Count);
        Assert.All(expected.Zip(actual), p => Assert.Equal(p.First, p.Second, 1e-6f));
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
        Assert.Contains("(pixel - 127.5) / 127.5", model.DocString);
        Assert.Equal("RGB", model.MetadataProps.Single(p => p.Key == "input_channel_order").Value);
        Assert.Equal("127.5", model.MetadataProps.Single(p => p.Key == "input_std").Value);
        Assert.Equal("16", model.MetadataProps.Single(p => p.Key == "embedding_size").Value);
        var input = Assert.Single(model.Graph.Input);
        Assert.Equal("data", input.Name);
        Assert.Equal("None", input.Type.TensorType.Shape.Dim[0].DimParam);
        Assert.Equal([3L, Size, Size], input.Type.TensorType.Shape.Dim.Skip(1).Select(d => d.DimValue));
        Assert.Single(model.Graph.Output);
        Assert.All(model.Graph.Initializer, t => Assert.Equal((int)TensorProto.Types.DataType.Float, t.DataType));
    }

    [Fact]
    public void Verifier_reports_a_tiny_MaxAbsDiff_at_batch_1_and_7()
    {
        using var net = new TinyNet(seed: 4);
        var inputs = OnnxVerifier.RandomInputs([3, Size, Size], OnnxVerifier.DefaultBatches, seed: 9);

        var result = OnnxVerifier.Compare(net.Export(foldBatchNorm: true, 11).ToBytes(), net.forward, inputs);

        Assert.Equal([1L, 7], result.Batches);
        Assert.InRange(result.MaxAbsDiff, 0, 1e-5 * Math.Max(1, result.Scale));
        Assert.True(result.Scale > 0.1);
        result.ThrowIfAbove("tiny.onnx");
    }

    [Fact]
    public void Verifier_fails_a_model_that_computes_something_else()
    {
        using var net = new TinyNet(seed: 4);
        var bytes = net.Export(foldBatchNorm: false, 11).ToBytes();
        using var other = new TinyNet(seed: 5);
        var inputs = OnnxVerifier.RandomInputs([3, Size, Size], OnnxVerifier.DefaultBatches);

        var result = OnnxVerifier.Compare(bytes, other.forward, inputs);
        var e = Assert.Throws<OnnxVerificationException>(() => result.ThrowIfAbove("tiny.onnx"));

        Assert.Equal("OnnxVerificationFailed", e.ErrorId);
        Assert.Contains("tiny.onnx", e.Message);
        Assert.Contains("MaxAbsDiff", e.Message);
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

    [PythonModuleFact("cv2")]
    public void OpenCV_dnn_loads_the_model_and_computes_the_same_at_batch_1_and_7()
    {
        using var net = new TinyNet(seed: 6);
        var path = Path.Combine(_dir, "tiny.onnx");
        net.Export(foldBatchNorm: true, 11).Save(path, overwrite: false);
        foreach (var batch in new[] { 1, 7 })
        {
            using var input = torch.rand([batch, 3, Size, Size], generator: new Generator(2)) * 2 - 1;
            var inputPath = Path.Combine(_dir, $"input-{batch}.f32");
            File.WriteAllBytes(inputPath, System.Runtime.InteropServices.MemoryMarshal.AsBytes(input.data<float>().ToArray().AsSpan()).ToArray());

            var (exitCode, output) = PythonModuleFactAttribute.Run(
                "import cv2, json, sys, numpy as np\n" +
                "net = cv2.dnn.readNetFromONNX(sys.argv[1])\n" +
                "net.setInput(np.fromfile(sys.argv[2], dtype=np.float32).reshape(int(sys.argv[3]), 3, int(sys.argv[4]), int(sys.argv[4])))\n" +
                "print(json.dumps([float(v) for v in net.forward().flatten()]))",
                path, inputPath, batch.ToString(), Size.ToString());

            Assert.True(exitCode == 0, output);
            var expected = net.Embed(input);
            var actual = System.Text.Json.JsonSerializer.Deserialize<float[]>(output)!;
            Assert.Equal(expected.Length, actual.Length);
            Assert.All(expected.Zip(actual), p => Assert.True(Math.Abs(p.First - p.Second) <= 1e-4, $"{p.First} vs {p.Second}"));
        }
    }

    private static float[] Floats(TensorProto tensor) =>
        System.Runtime.InteropServices.MemoryMarshal.Cast<byte, float>(tensor.RawData.Span).ToArray();

    private static float[] RunOnnx(byte[] model, Tensor input, string inputName = "data")
    {
        using var session = new InferenceSession(model);
        var dense = new DenseTensor(input.data<float>().ToArray(), input.shape.Select(d => (int)d).ToArray());
        using var results = session.Run([NamedOnnxValue.CreateFromTensor(inputName, dense)]);
        return results.Single().AsEnumerable<float>().ToArray();
    }

    private sealed class Tolerance(double epsilon) : IEqualityComparer<double>
    {
        public bool Equals(double x, double y) => Math.Abs(x - y) <= epsilon;

        public int GetHashCode(double obj) => 0;
    }
}

using InsightFace.Engine.Backbones;
using InsightFace.Engine.Export.Onnx;
using InsightFace.Engine.Export.Onnx.Proto;
using InsightFace.Engine.Tests.Support;
using TorchSharp;
using TorchSharp.Modules;

namespace InsightFace.Engine.Tests.Export.Onnx;

/// <summary>
/// Our registry backbones written by walking their modules, run in ONNX Runtime (and by onnx.checker and OpenCV's
/// dnn as outside judges) against TorchSharp eval mode. BatchNorm statistics, scales and PReLU slopes are
/// randomised first, so that a BatchNorm written wrongly, or folded wrongly, changes the output.
/// </summary>
[Collection("Sequential")]
public class BackboneOnnxWriterTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("backbone-onnx-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Theory]
    [InlineData("mbf", false)]
    [InlineData("mbf", true)]
    [InlineData("mbf_large", true)]
    [InlineData("r18", false)]
    [InlineData("r18", true)]
    public void Onnx_runtime_reproduces_the_backbone_at_batch_1_and_7(string network, bool fold)
    {
        using var backbone = Randomised(network, embeddingSize: 128, seed: 1);
        var bytes = BackboneOnnxWriter.Write(backbone, network, foldBatchNorm: fold).ToBytes();
        var inputs = OnnxVerifier.RandomInputs([3, 112, 112], OnnxVerifier.DefaultBatches, seed: 2);

        var result = OnnxVerifier.Compare(bytes, backbone.forward, inputs);

        Assert.Equal([1L, 7], result.Batches);
        Assert.True(result.Scale > 0.1, $"output scale {result.Scale} is too small to judge");
        Assert.True(result.RelativeDiff <= OnnxVerification.DefaultTolerance, $"MaxAbsDiff {result.MaxAbsDiff} at scale {result.Scale}");
    }

    [FixtureFact(FaceFixturesFolder)]
    public void Real_faces_give_the_same_embeddings_in_onnx_runtime()
    {
        using var backbone = Randomised("mbf", embeddingSize: 512, seed: 3);
        var bytes = BackboneOnnxWriter.Write(backbone, "mbf", foldBatchNorm: true).ToBytes();
        var images = Enumerable.Range(1, 7).Select(i => File.ReadAllBytes(Fixtures.Path(FaceFixturesFolder, "s1", $"{i}.jpg"))).ToList();
        var inputs = FaceOnnxExporter.VerificationInputs(images);

        var result = OnnxVerifier.Compare(bytes, backbone.forward, inputs);

        Assert.Equal([1L, 7, 1, 7], result.Batches);
        Assert.True(result.RelativeDiff <= OnnxVerification.DefaultTolerance, $"MaxAbsDiff {result.MaxAbsDiff} at scale {result.Scale}");
    }

    [Theory]
    [InlineData("mbf")]
    [InlineData("r18")]
    public void Unfolded_initializers_are_the_state_dict_and_only_inference_ops_are_written(string network)
    {
        using var backbone = Randomised(network, embeddingSize: 64, seed: 4);
        var model = ModelProto.Parser.ParseFrom(BackboneOnnxWriter.Write(backbone, network).ToBytes());

        var stateKeys = backbone.state_dict().Keys.Where(k => !k.EndsWith("num_batches_tracked", StringComparison.Ordinal));
        Assert.Equal(stateKeys.Order(StringComparer.Ordinal), model.Graph.Initializer.Select(t => t.Name).Order(StringComparer.Ordinal));
        Assert.Subset(new HashSet<string> { "Conv", "BatchNormalization", "PRelu", "Add", "Flatten", "Gemm" }, model.Graph.Node.Select(n => n.OpType).ToHashSet());
        Assert.All(model.Graph.Initializer, t => Assert.Equal((int)TensorProto.Types.DataType.Float, t.DataType));
        Assert.Equal("data", model.Graph.Input.Single().Name);
        Assert.Equal("None", model.Graph.Output.Single().Type.TensorType.Shape.Dim[0].DimParam);
        Assert.Equal(64, model.Graph.Output.Single().Type.TensorType.Shape.Dim[1].DimValue);
        Assert.Equal(network, model.MetadataProps.Single(p => p.Key == "network").Value);
    }

    [Fact]
    public void Mbf_keeps_its_depthwise_convs_and_residual_adds()
    {
        using var backbone = Randomised("mbf", embeddingSize: 64, seed: 5);
        var model = ModelProto.Parser.ParseFrom(BackboneOnnxWriter.Write(backbone, "mbf", foldBatchNorm: true).ToBytes());
        var convs = model.Graph.Node.Where(n => n.OpType == "Conv").ToDictionary(n => n.Name);

        // layers.2 is mbf's first DepthWise (128 groups at scale 2 = 128 channels); the GDC's 7x7 conv has 512 groups.
        Assert.Equal(128, convs["layers.2.layers.1.layers.0"].Attribute.Single(a => a.Name == "group").I);
        Assert.Equal(512, convs["features.layers.0.layers.0"].Attribute.Single(a => a.Name == "group").I);
        Assert.Equal([7L, 7], convs["features.layers.0.layers.0"].Attribute.Single(a => a.Name == "kernel_shape").Ints);
        // Residual blocks: 4 + 6 + 2 adds; the folded graph keeps only the GDC's BatchNorm1d.
        Assert.Equal(12, model.Graph.Node.Count(n => n.OpType == "Add"));
        Assert.Equal(["features.layers.3"], model.Graph.Node.Where(n => n.OpType == "BatchNormalization").Select(n => n.Name));
    }

    [PythonModuleFact("onnx")]
    public void Onnx_checker_accepts_mbf_and_r18_at_opset_11_and_17()
    {
        foreach (var (network, opset) in new[] { ("mbf", 11), ("r18", 17) })
        {
            using var backbone = Randomised(network, embeddingSize: 128, seed: 6);
            var path = Path.Combine(_dir, $"{network}-{opset}.onnx");
            BackboneOnnxWriter.Write(backbone, network, opset, foldBatchNorm: true).Save(path, overwrite: false);

            var (exitCode, output) = PythonModuleFactAttribute.Run(
                "import onnx, sys; m = onnx.load(sys.argv[1]); onnx.checker.check_model(m, full_check=True); " +
                "print(m.opset_import[0].version, m.graph.input[0].type.tensor_type.shape.dim[0].dim_param)", path);

            Assert.True(exitCode == 0, output);
            Assert.Equal($"{opset} None", output.Trim());
        }
    }

    [PythonModuleFact("cv2")]
    public void OpenCV_dnn_runs_mbf_and_r18_at_batch_7_as_TorchSharp_does()
    {
        foreach (var network in new[] { "mbf", "r18" })
        {
            using var backbone = Randomised(network, embeddingSize: 128, seed: 7);
            var path = Path.Combine(_dir, $"{network}.onnx");
            BackboneOnnxWriter.Write(backbone, network, foldBatchNorm: false).Save(path, overwrite: false);
            using var input = OnnxVerifier.RandomInputs([3, 112, 112], [7], seed: 8).Single();
            var inputPath = Path.Combine(_dir, $"{network}.f32");
            File.WriteAllBytes(inputPath, System.Runtime.InteropServices.MemoryMarshal.AsBytes(input.data<float>().ToArray().AsSpan()).ToArray());

            var (exitCode, output) = PythonModuleFactAttribute.Run(
                "import cv2, json, sys, numpy as np\n" +
                "net = cv2.dnn.readNetFromONNX(sys.argv[1])\n" +
                "net.setInput(np.fromfile(sys.argv[2], dtype=np.float32).reshape(7, 3, 112, 112))\n" +
                "print(json.dumps([float(v) for v in net.forward().flatten()]))",
                path, inputPath);

            Assert.True(exitCode == 0, output);
            float[] expected;
            using (torch.no_grad()) expected = backbone.forward(input).data<float>().ToArray();
            var actual = System.Text.Json.JsonSerializer.Deserialize<float[]>(output)!;
            Assert.Equal(expected.Length, actual.Length);
            var scale = expected.Max(Math.Abs);
            var maxAbsDiff = expected.Zip(actual, (e, a) => Math.Abs(e - a)).Max();
            Assert.True(maxAbsDiff <= 1e-4 * Math.Max(1, scale), $"{network}: OpenCV MaxAbsDiff {maxAbsDiff} at scale {scale}");
        }
    }

    private const string FaceFixturesFolder = "orl-faces-112";

    /// <summary>A registry backbone in eval mode with every BatchNorm and PReLU given varied values.</summary>
    internal static Backbone Randomised(string network, int embeddingSize, int seed)
    {
        torch.manual_seed(seed);
        var backbone = BackboneRegistry.Create(network, new BackboneOptions { EmbeddingSize = embeddingSize });
        var generator = new torch.Generator((ulong)seed);
        torch.Tensor Uniform(torch.Tensor like, double low, double high) => torch.rand(like.shape, generator: generator) * (high - low) + low;
        using (torch.no_grad())
            foreach (var module in backbone.modules())
            {
                if (module is NormBase bn)
                {
                    bn.running_mean!.copy_(Uniform(bn.running_mean!, -0.2, 0.2));
                    bn.running_var!.copy_(Uniform(bn.running_var!, 0.5, 1.5));
                    if (bn.weight!.requires_grad) bn.weight.copy_(Uniform(bn.weight, 0.5, 1.5));
                    bn.bias!.copy_(Uniform(bn.bias!, -0.2, 0.2));
                }
                else if (module is PReLU prelu)
                {
                    prelu.weight!.copy_(Uniform(prelu.weight!, 0, 0.5));
                }
            }
        backbone.eval();
        return backbone;
    }
}

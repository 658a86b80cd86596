using InsightFace.Engine.Evaluation;
using InsightFace.Engine.Export.Onnx;
using InsightFace.Engine.Export.Onnx.Proto;
using Microsoft.ML.OnnxRuntime;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using DenseTensor = Microsoft.ML.OnnxRuntime.Tensors.DenseTensor<float>;

namespace InsightFace.Engine.Tests.Export.Onnx;

/// <summary>
/// PRelu nodes rewritten as Relus and depthwise convs for ONNX Runtime: PReLU by hand in float64 to the bit, whole
/// backbones against the PRelu graph and TorchSharp, and the graphs it must leave alone.
/// </summary>
[Collection("Sequential")]
public class OnnxPReluRewriterTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("prelu-rewrite-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void A_rewritten_PRelu_is_PReLU_by_hand_to_the_bit_for_slopes_of_any_sign()
    {
        float[] slopes = [0.25f, -0.5f, 1.75f, 0f];
        var model = PReluAfter4dInput(slopes, [4, 1, 1]);
        using var input = torch.randn([2, 4, 3, 3], generator: new Generator(5)) * 3;
        input[0, 0, 0, 0] = torch.tensor(0f);

        var rewritten = OnnxPReluRewriter.Rewrite(model);

        Assert.NotNull(rewritten);
        var actual = Run(rewritten, input, "x");
        // A float64 product of two floats is exact, so rounding it once gives float32's slope · x.
        var x = input.data<float>().ToArray();
        var expected = x.Select((v, i) => v >= 0 ? v : (float)((double)slopes[i / 9 % 4] * v)).ToArray();
        Assert.Equal(expected, actual);
        var graph = ModelProto.Parser.ParseFrom(rewritten).Graph;
        Assert.Equal(["Conv", "Relu", "Relu", "Conv", "Add"], graph.Node.Select(n => n.OpType));
        Assert.Equal("prelu.out", graph.Node.Last().Output.Single());
        Assert.DoesNotContain("prelu.weight", graph.Initializer.Select(t => t.Name)); // no unused slope left to warn about
    }

    [Fact]
    public void A_slope_shaped_1_C_1_1_is_rewritten_too()
    {
        var rewritten = OnnxPReluRewriter.Rewrite(PReluAfter4dInput([0.5f, -2f], [1, 2, 1, 1], channels: 2));
        using var input = torch.tensor(new float[] { -1, 2, -3, 4 }, [1, 2, 1, 2]);

        Assert.Equal([-0.5f, 2, 6, 4], Run(rewritten!, input, "x"));
    }

    [Theory]
    [InlineData("shared slope")]
    [InlineData("3-D input")]
    [InlineData("no PRelu")]
    public void Graphs_it_cannot_rewrite_safely_are_left_alone(string graphKind)
    {
        var graph = new OnnxGraphBuilder("g");
        switch (graphKind)
        {
            case "shared slope":
                graph.AddInput("x", OnnxDim.Symbolic("N"), 4, 3, 3);
                graph.AddNode("PRelu", "prelu", ["x", graph.AddInitializer("slope", [0.2f], 1)], ["y"]);
                graph.AddOutput("y", OnnxDim.Symbolic("N"), 4, 3, 3);
                break;
            case "3-D input":
                // A [C, 1, 1] slope also broadcasts over a 3-D input, where a 2-D conv cannot run: the rank must be known.
                graph.AddInput("x", 4, 4, 5);
                graph.AddNode("PRelu", "prelu", ["x", graph.AddInitializer("slope", [0.1f, 0.2f, 0.3f, 0.4f], 4, 1, 1)], ["y"]);
                graph.AddOutput("y", 4, 4, 5);
                break;
            default:
                graph.AddInput("x", OnnxDim.Symbolic("N"), 4, 3, 3);
                graph.AddNode("Relu", "relu", ["x"], ["y"]);
                graph.AddOutput("y", OnnxDim.Symbolic("N"), 4, 3, 3);
                break;
        }

        Assert.Null(OnnxPReluRewriter.Rewrite(graph.ToBytes()));
    }

    [Fact]
    public void Bytes_that_are_not_a_model_are_left_to_onnx_runtime()
    {
        Assert.Null(OnnxPReluRewriter.Rewrite("not a model at all"u8.ToArray()));
    }

    [Theory]
    [InlineData("mbf")]
    [InlineData("r18")]
    public void Rewritten_backbones_give_the_PRelu_graphs_embeddings(string network)
    {
        using var backbone = BackboneOnnxWriterTests.Randomised(network, embeddingSize: 128, seed: 9);
        var standard = BackboneOnnxWriter.Write(backbone, network).ToBytes();
        var rewritten = OnnxPReluRewriter.Rewrite(standard)!;
        var inputs = OnnxVerifier.RandomInputs([3, 112, 112], OnnxVerifier.DefaultBatches, seed: 10);

        var result = OnnxVerifier.Compare(rewritten, backbone.forward, inputs);

        Assert.True(result.RelativeDiff <= OnnxVerification.DefaultTolerance, $"MaxAbsDiff {result.MaxAbsDiff} at scale {result.Scale}");
        var graph = ModelProto.Parser.ParseFrom(rewritten).Graph;
        Assert.DoesNotContain("PRelu", graph.Node.Select(n => n.OpType));
        Assert.Equal(ModelProto.Parser.ParseFrom(standard).Graph.Output, graph.Output);
        // mbf to the bit; r18 within float32 rounding, because ONNX Runtime then also runs the BatchNorms that open
        // its blocks inside the blocked layout, as depthwise convs, which round differently.
        foreach (var input in inputs)
        {
            var (expected, actual) = (Run(standard, input, "data"), Run(rewritten, input, "data"));
            var scale = expected.Max(Math.Abs);
            var maxAbsDiff = expected.Zip(actual, (e, a) => Math.Abs(e - a)).Max();
            Assert.True(maxAbsDiff <= 1e-5 * scale, $"MaxAbsDiff {maxAbsDiff} at scale {scale}");
            if (network == "mbf") Assert.Equal(expected, actual);
        }
    }

    [Fact]
    public void An_onnx_file_with_PRelu_nodes_embeds_as_the_backbone_does()
    {
        using var backbone = BackboneOnnxWriterTests.Randomised("mbf", embeddingSize: 64, seed: 11);
        var path = Path.Combine(_dir, "mbf.onnx");
        BackboneOnnxWriter.Write(backbone, "mbf").Save(path, overwrite: false);
        using var input = OnnxVerifier.RandomInputs([3, 112, 112], [3], seed: 12).Single();

        using var embedder = new OnnxFaceEmbedder(path);
        var embeddings = embedder.Embed(input.data<float>().ToArray(), 3);

        float[] expected;
        using (torch.no_grad()) expected = backbone.forward(input).data<float>().ToArray();
        var scale = expected.Max(Math.Abs);
        var maxAbsDiff = expected.Select((e, i) => Math.Abs(e - embeddings[i / 64, i % 64])).Max();
        Assert.True(maxAbsDiff <= 1e-5 * scale, $"MaxAbsDiff {maxAbsDiff} at scale {scale}");
    }

    private static byte[] PReluAfter4dInput(float[] slopes, long[] slopeShape, int channels = 4)
    {
        var graph = new OnnxGraphBuilder("prelu");
        graph.AddInput("x", OnnxDim.Symbolic("N"), channels, OnnxDim.Symbolic("H"), OnnxDim.Symbolic("W"));
        graph.AddNode("PRelu", "prelu", ["x", graph.AddInitializer("prelu.weight", slopes, slopeShape)], ["prelu.out"]);
        graph.AddOutput("prelu.out", OnnxDim.Symbolic("N"), channels, OnnxDim.Symbolic("H"), OnnxDim.Symbolic("W"));
        return graph.ToBytes();
    }

    private static float[] Run(byte[] model, Tensor input, string inputName)
    {
        using var session = new InferenceSession(model);
        var dense = new DenseTensor(input.data<float>().ToArray(), input.shape.Select(d => (int)d).ToArray());
        using var results = session.Run([NamedOnnxValue.CreateFromTensor(inputName, dense)]);
        return results.Single().AsEnumerable<float>().ToArray();
    }
}

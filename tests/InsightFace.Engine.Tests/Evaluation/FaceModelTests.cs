using InsightFace.Engine.Backbones;
using InsightFace.Engine.Checkpoints;
using InsightFace.Engine.Data.Imaging;
using InsightFace.Engine.Evaluation;
using InsightFace.Engine.Runtime;
using InsightFace.Engine.Tests.Support;
using TorchSharp;
using static TorchSharp.torch;

namespace InsightFace.Engine.Tests.Evaluation;

[Collection("Sequential")]
public sealed class FaceModelTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("insightface-facemodel-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void A_checkpoint_embeds_as_its_backbone_does_with_arcface_torchs_input()
    {
        var checkpoint = CheckpointModel.CreateInitial(Path.Combine(_dir, "mbf"), "mbf", 16, seed: 5, overwrite: false);
        using var model = FaceModel.OpenCheckpoint(Path.Combine(checkpoint.Folder, "model.pt"));

        Assert.Equal(checkpoint.Folder, model.ModelPath);
        Assert.Equal("mbf", model.Kind);
        Assert.Same(FaceImageTransform.ArcFace, model.InputTransform);

        var images = OnnxFaceEmbedderTests.Batch(model.InputTransform, 3);
        var actual = model.Embed(images, 3);
        // On the CPU the checkpoint runs in ONNX Runtime; the reference is the backbone itself in libtorch, in float64.
        using var backbone = CheckpointModel.LoadBackbone(checkpoint);
        backbone.to(ScalarType.Float64).eval();
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var input = tensor(images.AsMemory(0, 3 * FaceInput.Floats), [3, 3, 112, 112]).to(ScalarType.Float64);
        var expected = backbone.forward(input).data<double>().ToArray();
        Assert.Equal([3, 16], new[] { actual.GetLength(0), actual.GetLength(1) });
        var scale = expected.Max(Math.Abs);
        for (var i = 0; i < expected.Length; i++) Assert.True(Math.Abs(expected[i] - actual[i / 16, i % 16]) <= 1e-5 * scale,
            $"value {i}: {actual[i / 16, i % 16]} against {expected[i]} (scale {scale})");
    }

    [Fact]
    public void A_checkpoint_exported_for_onnx_runtime_on_the_cpu_leaves_its_folder_as_it_was()
    {
        var checkpoint = CheckpointModel.CreateInitial(Path.Combine(_dir, "r18"), "r18", 8, seed: 3, overwrite: false);
        var before = Directory.GetFiles(_dir, "*", SearchOption.AllDirectories).Order().ToArray();
        using var model = FaceModel.OpenCheckpoint(checkpoint.Folder);
        var images = OnnxFaceEmbedderTests.Batch(model.InputTransform, 5);
        var embeddings = model.Embed(images, 5);

        Assert.Equal(before, Directory.GetFiles(_dir, "*", SearchOption.AllDirectories).Order().ToArray());
        Assert.Equal(("r18", Path.GetFileName(checkpoint.Folder)), (model.Kind, model.Description));
        Assert.Equal([5, 8], new[] { embeddings.GetLength(0), embeddings.GetLength(1) });
    }

    [WithoutCudaFact]
    public void A_cuda_request_without_cuda_fails_instead_of_falling_back()
    {
        var checkpoint = CheckpointModel.CreateInitial(Path.Combine(_dir, "cpu-only"), "mbf", 8, seed: 1, overwrite: false);
        Assert.Throws<DeviceUnavailableException>(() => FaceModel.OpenCheckpoint(checkpoint.Folder, "cuda"));
    }

    [Fact]
    public void An_onnx_model_follows_insightfaces_normalisation_rule_unless_told_otherwise()
    {
        var plain = Path.Combine(_dir, "plain.onnx");
        var mxnet = Path.Combine(_dir, "mxnet.onnx");
        File.WriteAllBytes(plain, TinyOnnx.ChannelMeans());
        File.WriteAllBytes(mxnet, TinyOnnx.ChannelMeans(mxnetNormalisation: true));

        using (var model = FaceModel.OpenOnnx(plain))
            Assert.Equal((127.5f, 127.5f, "onnx"), (model.InputTransform.Mean, model.InputTransform.Std, model.Kind));
        using (var model = FaceModel.OpenOnnx(mxnet))
            Assert.Equal((0f, 1f), (model.InputTransform.Mean, model.InputTransform.Std));
        using (var model = FaceModel.OpenOnnx(mxnet, 10f, 2f, ChannelOrder.Bgr))
            Assert.Equal((10f, 2f, ChannelOrder.Bgr), (model.InputTransform.Mean, model.InputTransform.Std, model.InputTransform.Order));
    }

    [Fact]
    public void A_file_that_is_not_onnx_is_an_evaluation_error_naming_it()
    {
        var junk = Path.Combine(_dir, "junk.onnx");
        File.WriteAllText(junk, "junk");
        var e = Assert.Throws<EvaluationException>(() => FaceModel.OpenOnnx(junk));
        Assert.Equal(ErrorIds.OnnxModelInvalid, e.ErrorId);
        Assert.Contains(junk, e.Message);
    }
}

using InsightFace.Engine.Backbones;
using InsightFace.Engine.Checkpoints;
using InsightFace.Engine.Data.Imaging;
using InsightFace.Engine.Evaluation;
using InsightFace.Engine.Runtime;
using InsightFace.Engine.Tests.Support;
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

        var images = OnnxFaceEmbedderTests.Batch(model.InputTransform, 2);
        var actual = model.Embed(images, 2);
        using var backbone = CheckpointModel.LoadBackbone(checkpoint);
        // Checkpoints run in channels_last (the same values to rounding; MemoryFormatTests): so does the reference here,
        // so that the two agree exactly.
        MemoryFormat.Apply(backbone, MemoryFormat.ChannelsLast);
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var input = MemoryFormat.To(tensor(images.AsMemory(0, 2 * FaceInput.Floats), [2, 3, 112, 112]), MemoryFormat.ChannelsLast);
        var expected = backbone.forward(input).data<float>().ToArray();
        Assert.Equal([2, 16], new[] { actual.GetLength(0), actual.GetLength(1) });
        for (var i = 0; i < expected.Length; i++) Assert.Equal(expected[i], actual[i / 16, i % 16]);
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

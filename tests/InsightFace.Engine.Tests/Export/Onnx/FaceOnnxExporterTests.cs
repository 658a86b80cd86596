using InsightFace.Engine.Checkpoints;
using InsightFace.Engine.Export.Onnx;
using InsightFace.Engine.Import;
using InsightFace.Engine.Import.PyTorch;
using TorchSharp;

namespace InsightFace.Engine.Tests.Export.Onnx;

/// <summary>Export-FaceOnnx's engine call: a checkpoint folder in, a verified ONNX file out, or nothing on failure.</summary>
[Collection("Sequential")]
public class FaceOnnxExporterTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("export-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void A_checkpoint_exports_verified_at_batch_1_and_7()
    {
        var checkpoint = CheckpointModel.CreateInitial(Path.Combine(_dir, "mbf"), "mbf", 32, seed: 1, overwrite: false);
        var path = Path.Combine(_dir, "mbf.onnx");

        var export = FaceOnnxExporter.Export(checkpoint, path, 13, foldBatchNorm: true, verify: true, overwrite: false);

        Assert.Equal((path, "mbf", 13, 32, true), (export.ModelPath, export.Network, export.Opset, export.EmbeddingSize, export.FoldBatchNorm));
        Assert.Equal([1L, 7], export.Verification!.Batches);
        Assert.Equal(new FileInfo(path).Length, export.Bytes);
    }

    [Fact]
    public void A_model_whose_outputs_are_not_finite_fails_verification_and_nothing_is_written()
    {
        var checkpoint = CheckpointModel.CreateInitial(Path.Combine(_dir, "nan"), "mbf", 32, seed: 1, overwrite: false);
        using (var state = PthReader.Read(checkpoint.ModelPath))
        {
            // A negative variance makes the BatchNorm's square root NaN, in TorchSharp and ONNX Runtime alike.
            state["conv_sep.layers.1.running_var"].fill_(-1f);
            PthWriter.Write(checkpoint.ModelPath, state, overwrite: true);
        }
        var path = Path.Combine(_dir, "nan.onnx");

        var e = Assert.Throws<OnnxVerificationException>(() => FaceOnnxExporter.Export(checkpoint, path, 11, false, verify: true, overwrite: false));

        Assert.Equal("OnnxVerificationFailed", e.ErrorId);
        Assert.False(File.Exists(path));
        Assert.Empty(Directory.GetFiles(_dir));
    }
}

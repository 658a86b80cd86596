using InsightFace.Engine.Checkpoints;
using InsightFace.Engine.Data.Verification;
using InsightFace.Engine.Evaluation;
using InsightFace.Engine.Export.Onnx;
using InsightFace.Engine.Import;
using InsightFace.Engine.Tests.Data.Verification;
using InsightFace.Engine.Import.PyTorch;
using InsightFace.Engine.Tests.Export.Onnx;
using InsightFace.Engine.Tests.Support;

namespace InsightFace.Engine.Tests.Import;

/// <summary>
/// What Test-FaceVerification runs, on an imported checkpoint and on its ONNX export: the InsightFace protocol on
/// a .bin of real faces gives the same result through TorchSharp and through ONNX Runtime.
/// </summary>
[Collection("Sequential")]
public sealed class ImportedModelVerificationTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("import-verify-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [FixtureFact(FaceFixtures.Orl)]
    public void An_imported_state_dict_and_its_ONNX_export_verify_alike()
    {
        var pth = Path.Combine(_dir, "backbone.pth");
        using (var source = BackboneOnnxWriterTests.Randomised("mbf", embeddingSize: 128, seed: 21))
        using (var state = StateDict.From(source))
            PthWriter.Write(pth, state, overwrite: false);
        var checkpoint = FaceModelImporter.Import(pth, Path.Combine(_dir, "mbf"), "mbf", null, strict: true, overwrite: false).Checkpoint;
        var onnxPath = FaceOnnxExporter.Export(checkpoint, Path.Combine(_dir, "mbf.onnx"), 11, foldBatchNorm: true, verify: false, overwrite: false).ModelPath;
        var bin = Path.Combine(_dir, "orl.bin");
        VerificationBinWriter.Write(bin, VerificationSetBuilder.FromPairs(FaceFixtures.Pairs(20)));
        var options = new VerificationOptions { BatchSize = 8 };

        VerificationResult fromTorch;
        using (var backbone = CheckpointModel.LoadBackbone(checkpoint))
            fromTorch = new VerificationRunner(new TorchModuleEmbedder(backbone, "mbf"), options).Run(bin);
        using var onnx = new OnnxFaceEmbedder(onnxPath);
        var fromOnnx = new VerificationRunner(onnx, options).Run(bin);

        Assert.Equal(20, fromTorch.Pairs);
        Assert.True(fromTorch.XNorm > 0);
        Assert.Equal(fromTorch.XNorm, fromOnnx.XNorm, fromTorch.XNorm * 1e-4);
        // One pair either side of a threshold is all float rounding could move.
        Assert.InRange(Math.Abs(fromTorch.Accuracy - fromOnnx.Accuracy), 0, 1.0 / 20 + 1e-9);
    }
}

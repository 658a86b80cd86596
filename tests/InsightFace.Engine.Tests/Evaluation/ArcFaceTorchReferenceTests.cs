using InsightFace.Engine.Data.Verification;
using InsightFace.Engine.Evaluation;
using InsightFace.Engine.Tests.Data.Verification;
using InsightFace.Engine.Tests.Support;
using TorchSharp;
using static TorchSharp.torch;

namespace InsightFace.Engine.Tests.Evaluation;

/// <summary>
/// The whole protocol on real faces against arcface_torch itself: its load_bin and test() (torch 1.13, numpy 1.24,
/// sklearn 1.2.1; cv2.imdecode + BGR→RGB in place of mx.image.imdecode, the same decoder underneath; interp1d
/// slinear as scipy 1.8.1 built it) on the 30 ORL pairs of <see cref="FaceFixtures.Pairs"/>, embedded by a fixed
/// Conv 8x8/8 → AvgPool 7 → Flatten backbone with <see cref="TinyOnnx.FixedConvWeights"/>, batch size 10.
/// tests/golden/arcface_torch_orl.py recomputes the constants.
/// </summary>
[Collection("Sequential")]
public sealed class ArcFaceTorchReferenceTests : IDisposable
{
    private const double XNorm = 0.10000613511987648, Accuracy = 0.7333333333333333, AccuracyStd = 0.2905932629027116,
        Threshold = 0.475, TarAtFar = 0.45, Far = 0.05;

    private readonly string _dir = Directory.CreateTempSubdirectory("insightface-ref-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string Bin()
    {
        var path = Path.Combine(_dir, "orl.bin");
        VerificationBinWriter.Write(path, VerificationSetBuilder.FromPairs(FaceFixtures.Pairs(30)));
        return path;
    }

    [FixtureFact(FaceFixtures.Orl)]
    public void A_torchsharp_backbone_reproduces_arcface_torchs_numbers()
    {
        using var conv = nn.Conv2d(3, 8, 8, stride: 8, bias: false);
        using (no_grad()) conv.weight!.copy_(tensor(TinyOnnx.FixedConvWeights(), [8, 3, 8, 8]));
        using var backbone = nn.Sequential(conv, nn.AvgPool2d(7), nn.Flatten());

        var result = new VerificationRunner(new TorchModuleEmbedder(backbone, "fixed conv"), new VerificationOptions { BatchSize = 10 })
            .Run(Bin());

        AssertReference(result);
    }

    [FixtureFact(FaceFixtures.Orl)]
    public void The_same_backbone_as_onnx_gives_the_same_numbers()
    {
        var model = Path.Combine(_dir, "fixed-conv.onnx");
        File.WriteAllBytes(model, TinyOnnx.FixedConv());
        using var embedder = new OnnxFaceEmbedder(model);

        AssertReference(new VerificationRunner(embedder, new VerificationOptions { BatchSize = 10 }).Run(Bin()));
    }

    private static void AssertReference(VerificationResult result)
    {
        Assert.Equal(30, result.Pairs);
        Assert.Equal(XNorm, result.XNorm, 7);
        Assert.Equal(Accuracy, result.Accuracy, 12);
        Assert.Equal(AccuracyStd, result.AccuracyStd, 12);
        Assert.Equal(Threshold, result.Threshold, 12);
        Assert.Equal(TarAtFar, result.TarAtFar, 12);
        Assert.Equal(Far, result.Far, 12);
    }
}

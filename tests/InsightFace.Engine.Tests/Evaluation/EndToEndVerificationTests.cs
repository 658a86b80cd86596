using InsightFace.Engine.Data.Verification;
using InsightFace.Engine.Evaluation;
using InsightFace.Engine.Tests.Data.Verification;
using InsightFace.Engine.Tests.Support;
using TorchSharp;
using static TorchSharp.torch;

namespace InsightFace.Engine.Tests.Evaluation;

[Collection("Sequential")]
public sealed class EndToEndVerificationTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("insightface-e2e-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [FixtureFact(FaceFixtures.Orl)]
    public void A_pairs_list_of_real_faces_becomes_a_bin_that_torch_and_onnx_models_verify_alike()
    {
        // Pairs list → image files → .bin → reader → decode → embed (both copies) → protocol.
        var csv = Path.Combine(_dir, "pairs.csv");
        File.WriteAllLines(csv, FaceFixtures.Pairs(30).Select(p => $"{p.FirstPath},{p.SecondPath},{(p.IsSame ? 1 : 0)}"));
        var bin = Path.Combine(_dir, "orl.bin");
        VerificationBinWriter.Write(bin, VerificationSetBuilder.FromPairs(PairsListReader.Read(csv)));

        // The same network twice, channel means per image quadrant, as a TorchSharp module and as an ONNX graph.
        using var module = nn.Sequential(nn.AvgPool2d(56, 56), nn.Flatten());
        var onnxPath = Path.Combine(_dir, "means.onnx");
        File.WriteAllBytes(onnxPath, TinyOnnx.ChannelMeans(quadrants: true));
        using var onnx = new OnnxFaceEmbedder(onnxPath);

        var options = new VerificationOptions { BatchSize = 8 };
        var fromTorch = new VerificationRunner(new TorchModuleEmbedder(module, "means"), options).Run(bin);
        var fromOnnx = new VerificationRunner(onnx, options).Run(bin);

        Assert.Equal("orl", fromTorch.Target);
        Assert.Equal(30, fromTorch.Pairs);
        Assert.InRange(fromTorch.Accuracy, 0.6, 1); // quadrant means tell these faces apart better than chance
        Assert.Equal(fromTorch.Accuracy, fromOnnx.Accuracy);
        Assert.Equal(fromTorch.Threshold, fromOnnx.Threshold);
        Assert.Equal(fromTorch.XNorm, fromOnnx.XNorm, 4);
        Assert.Equal("means.onnx", fromOnnx.Model);
    }
}

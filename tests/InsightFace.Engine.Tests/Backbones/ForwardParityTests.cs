using System.Globalization;
using InsightFace.Engine.Backbones;
using InsightFace.Engine.Tests.Support;
using TorchSharp;
using static TorchSharp.torch;

namespace InsightFace.Engine.Tests.Backbones;

/// <summary>
/// Same weights, same input, same embeddings as arcface_torch's networks. Weights and input come from a formula
/// both sides evaluate (sin of the element index, offset by the key's length); Golden/*.forward.txt holds the
/// float64 eval-mode outputs python3-torch 1.13 computed with arcface_torch's iresnet.py and mobilefacenet.py.
/// tests/golden/backbones.py recomputes them.
/// </summary>
public class ForwardParityTests
{
    [Theory]
    [InlineData("r18")]
    [InlineData("mbf")]
    public void Eval_mode_embeddings_equal_arcface_torchs(string name)
    {
        var golden = File.ReadAllLines(System.IO.Path.Combine(
                Fixtures.RepoRoot, "tests", "InsightFace.Engine.Tests", "Backbones", "Golden", $"{name}.forward.txt"))
            .Select(line => double.Parse(line, CultureInfo.InvariantCulture)).ToArray();

        using var scope = NewDisposeScope();
        using var network = BackboneRegistry.Create(name, new BackboneOptions { EmbeddingSize = 16, DType = float64 });
        Fill(network);
        network.eval();
        using var _ = no_grad();
        var images = arange(2 * 3 * 112 * 112, float64).mul_(0.001).sin_().reshape(2, 3, 112, 112);
        var embeddings = network.call(images).flatten();

        var expected = tensor(golden);
        Assert.True(embeddings.allclose(expected, rtol: 1e-9, atol: 1e-12),
            $"max |diff| {embeddings.sub(expected).abs().max().item<double>()}");
    }

    private static void Fill(nn.Module network)
    {
        using var _ = no_grad();
        foreach (var (key, value) in network.state_dict())
        {
            if (value.dtype == int64) continue; // num_batches_tracked
            var n = value.numel();
            var s = arange(n, float64).mul_(0.37).add_(key.Length).sin_();
            Tensor filled;
            if (key.EndsWith("running_var")) filled = s.add(1).mul_(0.25).add_(1);
            else if (key.EndsWith("running_mean") || key.EndsWith("bias")) filled = s.mul(0.1);
            else if (value.dim() == 1) filled = s.mul(0.1).add_(1);
            else filled = s.mul(Math.Sqrt(3.0 / (n / value.shape[0])));
            value.copy_(filled.reshape(value.shape));
        }
    }
}

using InsightFace.Engine.Backbones;
using TorchSharp;
using static TorchSharp.torch;

namespace InsightFace.Engine.Tests.Backbones;

public class MobileFaceNetTests
{
    [Theory]
    [InlineData("mbf")]
    [InlineData("mbf_large")]
    public void Maps_112x112_images_to_embeddings(string name)
    {
        torch.manual_seed(5);
        using var network = BackboneRegistry.Create(name, new BackboneOptions { EmbeddingSize = 256 });
        network.train();
        using var scope = NewDisposeScope();
        var embeddings = network.call(randn(2, 3, 112, 112));
        Assert.Equal([2L, 256L], embeddings.shape);
        embeddings.sum().backward();
        Assert.All(network.parameters(), p => Assert.NotNull(p.grad));
    }

    [Fact]
    public void Initialisation_is_kaiming_normal_fan_out()
    {
        torch.manual_seed(6);
        using var network = BackboneRegistry.Create("mbf", new BackboneOptions());
        var w = network.state_dict().ToDictionary(kv => kv.Key, kv => kv.Value);
        // std = sqrt(2 / fan_out), fan_out = out_channels * kernel area (PyTorch ignores groups here).
        var expand = w["layers.5.layers.0.layers.0.layers.0.weight"]; // 1x1, 256 -> 256
        Assert.Equal([256L, 256L, 1L, 1L], expand.shape);
        Assert.InRange(expand.std().item<float>(), 0.97 * Math.Sqrt(2.0 / 256), 1.03 * Math.Sqrt(2.0 / 256));
        var linear = w["features.layers.2.weight"]; // Linear 512 -> 512, fan_out = 512
        Assert.InRange(linear.std().item<float>(), 0.97 * Math.Sqrt(2.0 / 512), 1.03 * Math.Sqrt(2.0 / 512));
        Assert.True(w["conv_sep.layers.2.weight"].eq(0.25f).all().item<bool>());
        Assert.True(w["features.layers.3.weight"].eq(1).all().item<bool>());
    }
}

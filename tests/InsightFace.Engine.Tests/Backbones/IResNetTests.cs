using InsightFace.Engine.Backbones;
using TorchSharp;
using static TorchSharp.torch;

namespace InsightFace.Engine.Tests.Backbones;

public class IResNetTests
{
    private static Dictionary<string, Tensor> Weights(nn.Module network) =>
        network.state_dict().ToDictionary(kv => kv.Key, kv => kv.Value);

    [Fact]
    public void R18_maps_112x112_images_to_embeddings()
    {
        torch.manual_seed(1);
        using var network = BackboneRegistry.Create("r18", new BackboneOptions { EmbeddingSize = 128 });
        network.eval();
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        var embeddings = network.call(randn(2, 3, 112, 112));
        Assert.Equal([2L, 128L], embeddings.shape);
        Assert.True(embeddings.isfinite().all().item<bool>());
    }

    [Fact]
    public void Initialisation_follows_arcface_torch()
    {
        torch.manual_seed(2);
        using var network = BackboneRegistry.Create("r18", new BackboneOptions());
        var w = Weights(network);
        // conv weights N(0, 0.1): 294,912 samples put the sample std within 1% of 0.1.
        var conv = w["layer3.0.conv1.weight"];
        Assert.InRange(conv.std().item<float>(), 0.099, 0.101);
        Assert.InRange(conv.mean().item<float>(), -0.001, 0.001);
        Assert.True(w["layer2.1.bn2.weight"].eq(1).all().item<bool>());
        Assert.True(w["layer2.1.bn2.bias"].eq(0).all().item<bool>());
        Assert.True(w["layer4.1.prelu.weight"].eq(0.25f).all().item<bool>());
        // PyTorch's default Linear init: U(-1/sqrt(fan_in), 1/sqrt(fan_in)) with fan_in = 512 * 7 * 7.
        var bound = 1 / Math.Sqrt(25088);
        Assert.InRange(w["fc.weight"].abs().max().item<float>(), 0.99 * bound, 1.000001 * bound);
        Assert.True(w["features.weight"].eq(1).all().item<bool>());
    }

    [Fact]
    public void The_embedding_batchnorm_scale_is_frozen_at_one()
    {
        torch.manual_seed(3);
        using var network = new IResNet([1, 1, 1, 1], embeddingSize: 8, dropoutRate: 0);
        var parameters = network.named_parameters().ToDictionary(p => p.name, p => p.parameter);
        Assert.False(parameters["features.weight"].requires_grad);
        Assert.True(parameters["features.bias"].requires_grad);

        using var optimizer = optim.SGD(network.parameters().Where(p => p.requires_grad), 0.1);
        network.train();
        using (var scope = NewDisposeScope())
        {
            network.call(randn(4, 3, 112, 112)).pow(2).sum().backward();
            optimizer.step();
        }
        Assert.True(parameters["features.weight"].eq(1).all().item<bool>());
        Assert.False(parameters["features.bias"].eq(0).all().item<bool>());
    }

    [Fact]
    public void Dropout_is_applied_in_training_only_when_asked_for()
    {
        torch.manual_seed(4);
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        var images = randn(2, 3, 112, 112);
        using var plain = new IResNet([1, 1, 1, 1], 8, dropoutRate: 0);
        using var dropped = new IResNet([1, 1, 1, 1], 8, dropoutRate: 0.5);
        plain.train();
        dropped.train();
        Assert.True(plain.call(images).allclose(plain.call(images), rtol: 0, atol: 0));
        Assert.False(dropped.call(images).allclose(dropped.call(images), rtol: 0, atol: 0));
        dropped.eval();
        Assert.True(dropped.call(images).allclose(dropped.call(images), rtol: 0, atol: 0));
    }

    [Fact]
    public void Device_and_dtype_come_from_the_options()
    {
        using var onMeta = MetaBuild.Create("r34");
        Assert.All(onMeta.parameters(), p => Assert.Equal(DeviceType.META, p.device_type));

        using var network = BackboneRegistry.Create("mbf", new BackboneOptions { DType = ScalarType.Float64 });
        Assert.All(network.parameters(), p => Assert.Equal(ScalarType.Float64, p.dtype));
        network.eval();
        using var _ = no_grad();
        using var embeddings = network.call(randn(1, 3, 112, 112, ScalarType.Float64));
        Assert.Equal(ScalarType.Float64, embeddings.dtype);
    }
}

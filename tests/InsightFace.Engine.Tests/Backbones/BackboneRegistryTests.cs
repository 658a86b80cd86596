using InsightFace.Engine.Backbones;
using InsightFace.Engine.Tests.Support;
using TorchSharp;

namespace InsightFace.Engine.Tests.Backbones;

public class BackboneRegistryTests
{
    // sum(p.numel() for p in model.parameters()) of arcface_torch's networks, from python3-torch 1.13.
    [Theory]
    [InlineData("r18", 512, 24_025_600)]
    [InlineData("r34", 512, 34_139_328)]
    [InlineData("r50", 512, 43_590_848)]
    [InlineData("r100", 512, 65_156_160)]
    [InlineData("r200", 512, 118_833_920)]
    [InlineData("mbf", 512, 2_059_520)]
    [InlineData("mbf_large", 512, 6_314_880)]
    [InlineData("r50", 128, 33_955_904)]
    [InlineData("mbf", 128, 1_862_144)]
    public void Parameter_counts_equal_arcface_torchs(string name, long embeddingSize, long expected)
    {
        using var network = MetaBuild.Create(name, embeddingSize);
        Assert.Equal(expected, network.ParameterCount);
        Assert.Equal(embeddingSize, network.EmbeddingSize);
        Assert.Equal(expected, BackboneRegistry.Describe(name, embeddingSize).Parameters);
    }

    // The Trainer gives every trainable parameter a zero gradient before the first step (Gradients.Reserve), which
    // changes nothing only if every one of them takes part in the loss: SGD skips a parameter without a gradient and
    // would decay one with a zero gradient. r34–r200 are IResNets of more blocks, mbf_large and fmobilefacenet
    // MobileFaceNets of other sizes.
    [Theory]
    [InlineData("r18")]
    [InlineData("mbf")]
    public void One_backward_pass_reaches_every_trainable_parameter(string name)
    {
        using var scope = torch.NewDisposeScope();
        using var network = BackboneRegistry.Create(name, new BackboneOptions());
        network.train();
        network.call(torch.randn(2, 3, 112, 112)).pow(2).mean().backward();
        var missing = network.named_parameters().Where(p => p.parameter.requires_grad && p.parameter.grad is null).Select(p => p.name);
        Assert.Empty(missing);
    }

    [Theory]
    [InlineData("r18", 24.03)]
    [InlineData("r34", 34.14)]
    [InlineData("r50", 43.59)]
    [InlineData("r100", 65.16)]
    [InlineData("r200", 118.83)]
    [InlineData("mbf", 2.06)]
    public void Parameter_counts_round_to_the_published_millions(string name, double millions) =>
        Assert.Equal(millions, Math.Round(BackboneRegistry.Describe(name).Parameters / 1e6, 2));

    [Theory]
    [InlineData("r18", 2.6)]
    [InlineData("r34", 4.5)]
    [InlineData("r50", 6.3)]
    [InlineData("r100", 12.1)]
    [InlineData("r200", 23.4)]
    public void IResNet_MACs_round_to_the_published_GFLOPs(string name, double giga) =>
        Assert.Equal(giga, Math.Round(BackboneRegistry.Describe(name).MACs / 1e9, 1));

    [Fact]
    public void MobileFaceNet_costs_about_0_45_GMACs()
    {
        var macs = BackboneRegistry.Describe("mbf").MACs / 1e9;
        Assert.InRange(macs, 0.43, 0.46);
    }

    [Theory]
    [InlineData("r18")]
    [InlineData("mbf")]
    [InlineData("mbf_large")]
    public void Analytic_MACs_equal_those_measured_on_the_built_network(string name)
    {
        using var network = BackboneRegistry.Create(name, new BackboneOptions());
        Assert.Equal(MetaBuild.CountMacs(network), BackboneRegistry.Describe(name).MACs);
    }

    [Fact]
    public void Descriptions_cover_every_registered_name()
    {
        Assert.Equal(["r18", "r34", "r50", "r100", "r200", "mbf", "mbf_large", "fmobilefacenet"], BackboneRegistry.Names);
        var description = BackboneRegistry.Describe("r100", 256);
        Assert.Equal("r100", description.Name);
        Assert.Equal(256, description.EmbeddingSize);
    }

    [Fact]
    public void Unknown_names_are_rejected_with_the_valid_ones_listed()
    {
        var e = Assert.Throws<BackboneConfigurationException>(() => BackboneRegistry.Create("r51", new BackboneOptions()));
        Assert.Equal("UnknownBackbone", e.ErrorId);
        Assert.Equal("network", e.Key);
        Assert.Contains("'r51'", e.Message);
        Assert.Contains("mbf_large", e.Message);
        Assert.Throws<BackboneConfigurationException>(() => BackboneRegistry.Describe("R18"));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-512)]
    public void Embedding_sizes_below_one_are_rejected(long embeddingSize)
    {
        var e = Assert.Throws<BackboneConfigurationException>(() =>
            BackboneRegistry.Create("mbf", new BackboneOptions { EmbeddingSize = embeddingSize }));
        Assert.Equal("InvalidEmbeddingSize", e.ErrorId);
        Assert.Contains(embeddingSize.ToString(), e.Message);
    }

    [Theory]
    [InlineData(-0.1)]
    [InlineData(1.0)]
    [InlineData(double.NaN)]
    public void Dropout_outside_zero_to_one_is_rejected(double dropout)
    {
        var e = Assert.Throws<BackboneConfigurationException>(() =>
            BackboneRegistry.Create("r18", new BackboneOptions { Dropout = dropout, Device = torch.META }));
        Assert.Equal("InvalidDropout", e.ErrorId);
        Assert.Equal("dropout", e.Key);
    }

    [Fact]
    public void Dropout_on_MobileFaceNet_is_refused_not_ignored()
    {
        var e = Assert.Throws<BackboneConfigurationException>(() =>
            BackboneRegistry.Create("mbf", new BackboneOptions { Dropout = 0.2, Device = torch.META }));
        Assert.Equal("DropoutNotSupported", e.ErrorId);
        Assert.Contains("'mbf'", e.Message);
    }

    [Theory]
    [InlineData("r50")]
    [InlineData("mbf")]
    public void Fp16_on_the_cpu_is_a_clear_not_supported_error(string name)
    {
        var e = Assert.Throws<PrecisionNotSupportedException>(() =>
            BackboneRegistry.Create(name, new BackboneOptions { Fp16 = true }));
        Assert.Equal("Fp16NotSupported", e.ErrorId);
        Assert.Equal("cpu", e.Device);
        Assert.Contains("fp16", e.Message);
        Assert.Contains("'cpu'", e.Message);
    }
}

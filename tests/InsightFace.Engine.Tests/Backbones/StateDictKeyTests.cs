using InsightFace.Engine.Backbones;
using InsightFace.Engine.Tests.Support;
using TorchSharp;

namespace InsightFace.Engine.Tests.Backbones;

/// <summary>
/// The state_dict of each network equals arcface_torch's, key by key and shape by shape. The Golden/*.keys.txt
/// lists were written by python3-torch 1.13 from arcface_torch's iresnet.py and mobilefacenet.py;
/// tests/golden/backbones.py recomputes them.
/// </summary>
public class StateDictKeyTests
{
    [Theory]
    [InlineData("r18")]
    [InlineData("mbf")]
    [InlineData("mbf_large")]
    public void Keys_and_shapes_equal_arcface_torchs(string name)
    {
        var golden = File.ReadAllLines(System.IO.Path.Combine(
            Fixtures.RepoRoot, "tests", "InsightFace.Engine.Tests", "Backbones", "Golden", $"{name}.keys.txt"));
        using var network = MetaBuild.Create(name);
        var ours = network.state_dict().Select(kv => $"{kv.Key} [{string.Join(",", kv.Value.shape)}]").ToArray();
        Assert.Equal(golden.Order(), ours.Order());
    }

    [Fact]
    public void IResNet_has_the_named_keys_users_look_for()
    {
        using var network = MetaBuild.Create("r50");
        var keys = network.state_dict().Keys.ToHashSet();
        Assert.Contains("layer1.0.bn1.weight", keys);
        Assert.Contains("layer3.13.conv2.weight", keys);
        Assert.Contains("layer4.0.downsample.0.weight", keys);
        Assert.Contains("fc.weight", keys);
        Assert.Contains("features.weight", keys);
        Assert.Contains("features.running_var", keys);
        Assert.DoesNotContain("layer3.14.conv2.weight", keys);
    }

    [Fact]
    public void Buffers_have_pytorchs_types()
    {
        using var network = MetaBuild.Create("mbf");
        var state = network.state_dict();
        Assert.Equal(torch.ScalarType.Int64, state["conv_sep.layers.1.num_batches_tracked"].dtype);
        Assert.Equal(torch.ScalarType.Float32, state["conv_sep.layers.1.running_var"].dtype);
        using var inDouble = BackboneRegistry.Create("mbf",
            new BackboneOptions { Device = torch.META, DType = torch.ScalarType.Float64 });
        Assert.Equal(torch.ScalarType.Float64, inDouble.state_dict()["conv_sep.layers.1.running_var"].dtype);
        Assert.Equal(torch.ScalarType.Int64, inDouble.state_dict()["conv_sep.layers.1.num_batches_tracked"].dtype);
    }
}

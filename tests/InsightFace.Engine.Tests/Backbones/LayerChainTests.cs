using InsightFace.Engine.Backbones;
using TorchSharp;
using static TorchSharp.torch;

namespace InsightFace.Engine.Tests.Backbones;

public class LayerChainTests
{
    [Fact]
    public void Intermediate_activations_are_freed_as_soon_as_the_next_exists()
    {
        var outputs = new List<Tensor>();
        var layers = Enumerable.Range(0, 3).Select(_ =>
        {
            var linear = nn.Linear(4, 4);
            linear.register_forward_hook((_, _, output) => { outputs.Add(output); return output; });
            return (nn.Module<Tensor, Tensor>)linear;
        }).ToArray();
        using var input = randn(2, 4);

        using var result = LayerChain.Run(input, layers);

        Assert.Equal(3, outputs.Count);
        Assert.True(outputs[0].IsInvalid);
        Assert.True(outputs[1].IsInvalid);
        Assert.False(result.IsInvalid);
        Assert.False(input.IsInvalid);
        Assert.Equal([2L, 4L], result.shape);
    }
}

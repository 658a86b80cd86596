using InsightFace.Engine.Runtime;
using static TorchSharp.torch;

namespace InsightFace.Engine.Tests.Runtime;

public class NnpackTests
{
    [Fact]
    public void Turning_NNPACK_off_clears_libtorchs_flag_and_a_batch_1_convolution_still_computes()
    {
        Assert.True(Nnpack.TurnOff());
        Assert.False(Nnpack.Enabled);

        // A batch-1 1x1 convolution, the shape for which libtorch asks about NNPACK, against the float64 sums it is.
        using var scope = NewDisposeScope();
        var generator = new TorchSharp.torch.Generator(7);
        var x = randn(new long[] { 1, 8, 3, 3 }, generator: generator);
        var w = randn(new long[] { 4, 8, 1, 1 }, generator: generator);
        var y = nn.functional.conv2d(x, w).to(ScalarType.Float64);
        var xs = x.to(ScalarType.Float64).data<double>().ToArray();
        var ws = w.to(ScalarType.Float64).data<double>().ToArray();
        var ys = y.data<double>().ToArray();
        for (var o = 0; o < 4; o++)
        for (var p = 0; p < 9; p++)
        {
            var sum = 0.0;
            for (var c = 0; c < 8; c++) sum += ws[o * 8 + c] * xs[c * 9 + p];
            Assert.Equal(sum, ys[o * 9 + p], 1e-5);
        }
    }
}

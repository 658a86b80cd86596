using TorchSharp;
using static TorchSharp.torch;

namespace InsightFace.Engine.Backbones;

/// <summary>
/// Whether libtorch's channels_last convolutions give NCHW's values on this CPU. On an AMD EPYC of family 26
/// (Zen 5, AVX-512), libtorch 2.x computed a 1×1 convolution of a 4×256×7×7 batch to 512 channels 47% off in
/// channels_last, while NCHW agreed with float64 to 1e-6: MobileFaceNet's conv_sep has that shape. The check runs
/// that convolution once per process, on the CPU.
/// </summary>
public static class ChannelsLastCheck
{
    private static readonly Lazy<bool> Result = new(Probe);

    /// <summary>True when channels_last and NCHW agree to float32 rounding on the shape that went wrong.</summary>
    public static bool IsReliable => Result.Value;

    private static bool Probe()
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        // Fixed values, so that the check neither reads nor moves the caller's random generator.
        var input = tensor(Values(4 * 256 * 7 * 7, i => MathF.Sin(i)), [4, 256, 7, 7]);
        var weight = tensor(Values(512 * 256, i => 0.06f * MathF.Cos(i)), [512, 256, 1, 1]);
        var nchw = nn.functional.conv2d(input, weight);
        var channelsLast = nn.functional.conv2d(MemoryFormat.To(input, MemoryFormat.ChannelsLast),
            MemoryFormat.To(weight, MemoryFormat.ChannelsLast));
        var scale = nchw.abs().max().item<float>();
        return channelsLast.sub(nchw).abs().max().item<float>() <= 1e-4f * scale;
    }

    private static float[] Values(int count, Func<int, float> value) => Enumerable.Range(0, count).Select(value).ToArray();
}

namespace InsightFace.Engine.Backbones;

/// <summary>
/// Parameter and multiply-accumulate counts worked out from the layer list, without building a network.
/// </summary>
/// <remarks>
/// MACs are counted at 3×112×112 as the multiply-accumulates of every convolution
/// (output elements × kernel area × input channels per group) and of every Linear layer (inputs × outputs).
/// BatchNorm, PReLU, biases and residual adds are not counted; they add under 1%. This is the convention behind
/// arcface_torch's published 2.6/4.5/6.3/12.1/23.4 GFLOPs for r18…r200 and MobileFaceNet's 0.44 G.
/// Parameters count every trainable-shaped tensor (conv, Linear and bias, BatchNorm scale and shift, PReLU slopes),
/// including the frozen scale of the IResNet's <c>features</c> BatchNorm, as PyTorch's <c>parameters()</c> does.
/// </remarks>
public static class BackboneCost
{
    private const int InputSize = 112;

    /// <summary>Counts an <see cref="IResNet"/> with <paramref name="blocksPerStage"/> and embedding size E.</summary>
    public static (long Parameters, long MACs) IResNet(IReadOnlyList<int> blocksPerStage, long embeddingSize)
    {
        var t = new Tally(InputSize);
        t.Conv(3, 64, kernel: 3, stride: 1, padding: 1); t.BatchNorm(64); t.PReLU(64);
        long inplanes = 64;
        long[] planesPerStage = [64, 128, 256, 512];
        for (var stage = 0; stage < 4; stage++)
        {
            var planes = planesPerStage[stage];
            for (var block = 0; block < blocksPerStage[stage]; block++)
            {
                var stride = block == 0 ? 2 : 1;
                var inputSize = t.Size;
                t.BatchNorm(inplanes);
                t.Conv(inplanes, planes, kernel: 3, stride: 1, padding: 1); t.BatchNorm(planes); t.PReLU(planes);
                t.Conv(planes, planes, kernel: 3, stride: stride, padding: 1); t.BatchNorm(planes);
                if (block == 0)
                {
                    var outputSize = t.Size;
                    t.Size = inputSize;
                    t.Conv(inplanes, planes, kernel: 1, stride: stride, padding: 0); t.BatchNorm(planes);
                    t.Size = outputSize;
                }
                inplanes = planes;
            }
        }
        t.BatchNorm(512);
        t.Linear(512 * t.Size * t.Size, embeddingSize, bias: true);
        t.BatchNorm(embeddingSize);
        return (t.Parameters, t.MACs);
    }

    /// <summary>Counts a <see cref="MobileFaceNet"/> with <paramref name="blocks"/>, width scale and embedding size E.</summary>
    public static (long Parameters, long MACs) MobileFaceNet(IReadOnlyList<int> blocks, long scale, long embeddingSize)
    {
        var t = new Tally(InputSize);
        var narrow = 64 * scale;
        var wide = 128 * scale;
        ConvBlock(t, 3, narrow, kernel: 3, stride: 2, padding: 1, groups: 1);
        if (blocks[0] == 1) ConvBlock(t, narrow, narrow, kernel: 3, stride: 1, padding: 1, groups: 64);
        else Residual(t, narrow, blocks[0], 128);
        DepthWise(t, narrow, narrow, stride: 2, groups: 128);
        Residual(t, narrow, blocks[1], 128);
        DepthWise(t, narrow, wide, stride: 2, groups: 256);
        Residual(t, wide, blocks[2], 256);
        DepthWise(t, wide, wide, stride: 2, groups: 512);
        Residual(t, wide, blocks[3], 256);
        ConvBlock(t, wide, 512, kernel: 1, stride: 1, padding: 0, groups: 1);
        t.Conv(512, 512, kernel: 7, stride: 1, padding: 0, groups: 512); t.BatchNorm(512);
        t.Linear(512, embeddingSize, bias: false);
        t.BatchNorm(embeddingSize);
        return (t.Parameters, t.MACs);
    }

    private static void ConvBlock(Tally t, long input, long output, long kernel, long stride, long padding, long groups)
    {
        t.Conv(input, output, kernel, stride, padding, groups); t.BatchNorm(output); t.PReLU(output);
    }

    private static void DepthWise(Tally t, long input, long output, long stride, long groups)
    {
        ConvBlock(t, input, groups, kernel: 1, stride: 1, padding: 0, groups: 1);
        ConvBlock(t, groups, groups, kernel: 3, stride: stride, padding: 1, groups: groups);
        t.Conv(groups, output, kernel: 1, stride: 1, padding: 0); t.BatchNorm(output);
    }

    private static void Residual(Tally t, long channels, int blocks, long groups)
    {
        for (var i = 0; i < blocks; i++) DepthWise(t, channels, channels, stride: 1, groups);
    }

    /// <summary>Running totals while walking the layers; <see cref="Size"/> is the current square feature-map side.</summary>
    private sealed class Tally(long size)
    {
        public long Size { get; set; } = size;
        public long Parameters { get; private set; }
        public long MACs { get; private set; }

        public void Conv(long input, long output, long kernel, long stride, long padding, long groups = 1)
        {
            Size = (Size + 2 * padding - kernel) / stride + 1;
            var weights = output * (input / groups) * kernel * kernel;
            Parameters += weights;
            MACs += weights * Size * Size;
        }

        public void Linear(long input, long output, bool bias)
        {
            Parameters += input * output + (bias ? output : 0);
            MACs += input * output;
        }

        public void BatchNorm(long channels) => Parameters += 2 * channels;

        public void PReLU(long channels) => Parameters += channels;
    }
}

namespace InsightFace.Engine.Tests.Import.Mxnet;

/// <summary>
/// InsightFace's MXNet fmobilefacenet (recognition/symbol/fmobilefacenet.py, GDC output from symbol_utils.get_fc1),
/// with its node and array names; its Conv/Linear BatchNorms carry no eps attribute, so MXNet's default 1e-3 applies.
/// </summary>
public sealed class FMobileFaceNetModel : MxnetModelBuilder
{
    public FMobileFaceNetModel(int embedding, int[]? residualBlocks = null)
    {
        var blocks = residualBlocks ?? [4, 6, 2];
        var x = ConvBn("conv_1", NormalisedInput(), 3, 64, 3, 2, 1);
        x = ConvBn("conv_2_dw", x, 64, 64, 3, 1, 1, groups: 64);
        x = DResidual("dconv_23", x, 64, 64, 128, 2);
        x = Residual("res_3", x, 64, blocks[0], 128);
        x = DResidual("dconv_34", x, 64, 128, 256, 2);
        x = Residual("res_4", x, 128, blocks[1], 256);
        x = DResidual("dconv_45", x, 128, 128, 512, 2);
        x = Residual("res_5", x, 128, blocks[2], 256);
        x = ConvBn("conv_6sep", x, 128, 512, 1, 1, 0);
        x = ConvBn("conv_6dw7_7", x, 512, 512, 7, 1, 0, groups: 512, prelu: false);
        BatchNorm("fc1", FullyConnected("pre_fc1", x, 512, embedding), embedding, fixGamma: true);
    }

    // fmobilefacenet's Conv (conv, BN, PReLU) and Linear (conv, BN): '<name>_conv2d', '<name>_batchnorm', '<name>_relu'.
    private string ConvBn(string name, string input, long inChannels, long outChannels, int kernel, int stride, int pad, long groups = 1, bool prelu = true)
    {
        var x = BatchNorm($"{name}_batchnorm", Conv($"{name}_conv2d", input, inChannels, outChannels, kernel, stride, pad, groups), outChannels, fixGamma: false, eps: null);
        return prelu ? PRelu($"{name}_relu", x, outChannels) : x;
    }

    private string DResidual(string name, string input, long inChannels, long outChannels, long groups, int stride)
    {
        var x = ConvBn($"{name}_conv_sep", input, inChannels, groups, 1, 1, 0);
        x = ConvBn($"{name}_conv_dw", x, groups, groups, 3, stride, 1, groups: groups);
        return ConvBn($"{name}_conv_proj", x, groups, outChannels, 1, 1, 0, prelu: false);
    }

    private string Residual(string name, string input, long channels, int count, long groups)
    {
        var x = input;
        for (var i = 0; i < count; i++) x = Add(DResidual($"{name}_block{i}", x, channels, channels, groups, 1), x);
        return x;
    }
}

namespace InsightFace.Engine.Tests.Import.Mxnet;

/// <summary>
/// InsightFace's MXNet fresnet (residual_unit_v3, version_input 1, output "E"), with the node and array names
/// fresnet.py gives them.
/// </summary>
public sealed class FresnetModel : MxnetModelBuilder
{
    public FresnetModel(int[] units, int embedding)
    {
        long[] widths = [64, 128, 256, 512];
        var x = Conv("conv0", NormalisedInput(), 3, 64, 3, 1, 1);
        x = PRelu("relu0", BatchNorm("bn0", x, 64, fixGamma: false), 64);
        long channels = 64;
        for (var stage = 1; stage <= 4; stage++)
            for (var unit = 1; unit <= units[stage - 1]; unit++)
            {
                var name = $"stage{stage}_unit{unit}";
                var width = widths[stage - 1];
                var stride = unit == 1 ? 2 : 1;
                var body = BatchNorm($"{name}_bn1", x, channels, fixGamma: false);
                body = Conv($"{name}_conv1", body, channels, width, 3, 1, 1);
                body = PRelu($"{name}_relu1", BatchNorm($"{name}_bn2", body, width, fixGamma: false), width);
                body = Conv($"{name}_conv2", body, width, width, 3, stride, 1);
                body = BatchNorm($"{name}_bn3", body, width, fixGamma: false);
                var shortcut = unit == 1
                    ? BatchNorm($"{name}_sc", Conv($"{name}_conv1sc", x, channels, width, 1, stride, 0), width, fixGamma: false)
                    : x;
                x = Add(body, shortcut);
                channels = width;
            }
        x = BatchNorm("bn1", x, 512, fixGamma: false);
        x = Op("Dropout", "dropout0", [x], new() { ["p"] = "0.4" });
        BatchNorm("fc1", FullyConnected("pre_fc1", x, 512 * 7 * 7, embedding), embedding, fixGamma: true);
    }
}

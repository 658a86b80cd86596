using InsightFace.Engine.Runtime;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace InsightFace.Engine.Backbones;

/// <summary>
/// arcface_torch's pre-activation residual block: BN → conv3×3 → BN → PReLU → conv3×3(stride) → BN, plus the
/// shortcut, with no activation after the add. Field names are arcface_torch's, so state_dict keys match.
/// </summary>
internal sealed class IBasicBlock : nn.Module<Tensor, Tensor>
{
    private const double BatchNormEps = 1e-5;

    private readonly BatchNormLayer bn1;
    private readonly Conv2d conv1;
    private readonly BatchNormLayer bn2;
    private readonly PReLU prelu;
    private readonly Conv2d conv2;
    private readonly BatchNormLayer bn3;
    private readonly Sequential? downsample;

    /// <summary>
    /// Builds a block from <paramref name="inplanes"/> to <paramref name="planes"/> channels. The first block of a
    /// stage has <paramref name="stride"/> 2 and a conv1×1 + BN <c>downsample</c> shortcut.
    /// </summary>
    public IBasicBlock(long inplanes, long planes, long stride, bool withDownsample, Device? device)
        : base(nameof(IBasicBlock))
    {
        bn1 = BatchNormLayer.TwoD(inplanes, BatchNormEps, device: device);
        conv1 = nn.Conv2d(inplanes, planes, 3, stride: 1, padding: 1, bias: false, device: device);
        bn2 = BatchNormLayer.TwoD(planes, BatchNormEps, device: device);
        prelu = nn.PReLU(planes, device: device);
        conv2 = nn.Conv2d(planes, planes, 3, stride: stride, padding: 1, bias: false, device: device);
        bn3 = BatchNormLayer.TwoD(planes, BatchNormEps, device: device);
        if (withDownsample)
            downsample = nn.Sequential(
                nn.Conv2d(inplanes, planes, 1, stride: stride, bias: false, device: device),
                BatchNormLayer.TwoD(planes, BatchNormEps, device: device));
        RegisterComponents();
    }

    /// <inheritdoc/>
    public override Tensor forward(Tensor x)
    {
        var residual = LayerChain.Run(x, bn1, conv1, bn2, prelu, conv2, bn3);
        if (downsample is null) return residual.add_(x, Scalars.One);
        using var shortcut = downsample.call(x);
        return residual.add_(shortcut, Scalars.One);
    }

    /// <inheritdoc/>
    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            bn1.Dispose(); conv1.Dispose(); bn2.Dispose(); prelu.Dispose(); conv2.Dispose(); bn3.Dispose();
            downsample?.Dispose();
        }
        base.Dispose(disposing);
    }
}

using TorchSharp.Modules;
using static TorchSharp.torch;

namespace InsightFace.Engine.Backbones;

/// <summary>MobileFaceNet's conv (no bias) → BN → PReLU, kept in a <c>layers</c> Sequential as arcface_torch names it.</summary>
internal sealed class ConvBlock : nn.Module<Tensor, Tensor>
{
    private readonly Sequential layers;

    public ConvBlock(long inChannels, long outChannels, long kernel, long stride, long padding, long groups, Device? device)
        : base(nameof(ConvBlock))
    {
        layers = nn.Sequential(
            nn.Conv2d(inChannels, outChannels, kernel, stride: stride, padding: padding, groups: groups, bias: false,
                device: device),
            BatchNormLayer.TwoD(outChannels, device: device),
            nn.PReLU(outChannels, device: device));
        RegisterComponents();
    }

    public override Tensor forward(Tensor x) => layers.call(x);

    protected override void Dispose(bool disposing)
    {
        if (disposing) layers.Dispose();
        base.Dispose(disposing);
    }
}

using TorchSharp.Modules;
using static TorchSharp.torch;

namespace InsightFace.Engine.Backbones;

/// <summary>MobileFaceNet's conv (no bias) → BN with no activation, in a <c>layers</c> Sequential.</summary>
internal sealed class LinearBlock : nn.Module<Tensor, Tensor>
{
    private readonly Sequential layers;

    public LinearBlock(long inChannels, long outChannels, long kernel, long padding, long groups, Device? device)
        : base(nameof(LinearBlock))
    {
        layers = nn.Sequential(
            nn.Conv2d(inChannels, outChannels, kernel, stride: 1, padding: padding, groups: groups, bias: false,
                device: device),
            BatchNormLayer.TwoD(outChannels, device: device));
        RegisterComponents();
    }

    public override Tensor forward(Tensor x) => layers.call(x);

    protected override void Dispose(bool disposing)
    {
        if (disposing) layers.Dispose();
        base.Dispose(disposing);
    }
}

using InsightFace.Engine.Runtime;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace InsightFace.Engine.Backbones;

/// <summary>
/// MobileFaceNet's inverted bottleneck: 1×1 expand to <c>groups</c> channels, 3×3 depthwise (with the stride),
/// 1×1 linear projection; a residual add when used inside <see cref="Residual"/>.
/// </summary>
internal sealed class DepthWise : nn.Module<Tensor, Tensor>
{
    private readonly bool residual;
    private readonly Sequential layers;

    public DepthWise(long inChannels, long outChannels, bool residual, long stride, long groups, Device? device)
        : base(nameof(DepthWise))
    {
        this.residual = residual;
        layers = nn.Sequential(
            new ConvBlock(inChannels, groups, kernel: 1, stride: 1, padding: 0, groups: 1, device),
            new ConvBlock(groups, groups, kernel: 3, stride: stride, padding: 1, groups: groups, device),
            new LinearBlock(groups, outChannels, kernel: 1, padding: 0, groups: 1, device));
        RegisterComponents();
    }

    public override Tensor forward(Tensor x) => residual ? layers.call(x).add_(x, Scalars.One) : layers.call(x);

    protected override void Dispose(bool disposing)
    {
        if (disposing) layers.Dispose();
        base.Dispose(disposing);
    }
}

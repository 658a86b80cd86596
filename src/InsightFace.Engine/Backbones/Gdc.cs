using TorchSharp.Modules;
using static TorchSharp.torch;

namespace InsightFace.Engine.Backbones;

/// <summary>
/// MobileFaceNet's global depthwise convolution head: a 7×7 depthwise LinearBlock over 512 channels → flatten →
/// Linear(512→E, no bias) → BatchNorm1d(E), in a <c>layers</c> Sequential.
/// </summary>
internal sealed class Gdc : nn.Module<Tensor, Tensor>
{
    private const long Channels = 512;

    private readonly Sequential layers;

    public Gdc(long embeddingSize, Device? device) : base(nameof(Gdc))
    {
        layers = nn.Sequential(
            new LinearBlock(Channels, Channels, kernel: 7, padding: 0, groups: Channels, device),
            nn.Flatten(),
            nn.Linear(Channels, embeddingSize, hasBias: false, device: device),
            BatchNormLayer.OneD(embeddingSize, device: device));
        RegisterComponents();
    }

    public override Tensor forward(Tensor x) => layers.call(x);

    protected override void Dispose(bool disposing)
    {
        if (disposing) layers.Dispose();
        base.Dispose(disposing);
    }
}

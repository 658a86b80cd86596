using TorchSharp.Modules;
using static TorchSharp.torch;

namespace InsightFace.Engine.Backbones;

/// <summary>A stack of stride-1 residual <see cref="DepthWise"/> blocks on <c>channels</c> channels.</summary>
internal sealed class Residual : nn.Module<Tensor, Tensor>
{
    private readonly Sequential layers;

    public Residual(long channels, int blocks, long groups, Device? device) : base(nameof(Residual))
    {
        layers = nn.Sequential();
        for (var i = 0; i < blocks; i++)
            layers.append(new DepthWise(channels, channels, residual: true, stride: 1, groups, device));
        RegisterComponents();
    }

    public override Tensor forward(Tensor x) => layers.call(x);

    protected override void Dispose(bool disposing)
    {
        if (disposing) layers.Dispose();
        base.Dispose(disposing);
    }
}

using TorchSharp.Modules;
using static TorchSharp.torch;

namespace InsightFace.Engine.Backbones;

/// <summary>
/// arcface_torch's MobileFaceNet (<c>mbf</c>: blocks 1, 4, 6, 2 at width scale 2; <c>mbf_large</c>: 2, 8, 12, 4 at
/// scale 4) with the GDC head. Field names match arcface_torch's state_dict keys
/// (<c>layers.N…</c>, <c>conv_sep…</c>, <c>features.layers…</c>).
/// </summary>
public sealed class MobileFaceNet : Backbone
{
    private readonly ModuleList<nn.Module<Tensor, Tensor>> layers;
    private readonly ConvBlock conv_sep;
    private readonly Gdc features;

    /// <summary>
    /// Builds the network with <paramref name="blocks"/> residual blocks per stage and channel
    /// <paramref name="scale"/>, initialised as arcface_torch does: Kaiming-normal (fan-out, ReLU gain) for conv
    /// and linear weights, BatchNorm 1 and 0, PReLU 0.25. Parameters are created on <paramref name="device"/>
    /// (null: the CPU).
    /// </summary>
    public MobileFaceNet(IReadOnlyList<int> blocks, long scale, long embeddingSize, Device? device = null)
        : base(nameof(MobileFaceNet), embeddingSize)
    {
        if (blocks.Count != 4 || blocks.Any(n => n < 1))
            throw new ArgumentException("A MobileFaceNet needs four stages of at least one block each.", nameof(blocks));

        var narrow = 64 * scale;
        var wide = 128 * scale;
        layers = new ModuleList<nn.Module<Tensor, Tensor>>(
            new ConvBlock(3, narrow, kernel: 3, stride: 2, padding: 1, groups: 1, device),
            // arcface_torch's own quirk: a single first block is a grouped (64 groups) conv, not a Residual.
            blocks[0] == 1
                ? new ConvBlock(narrow, narrow, kernel: 3, stride: 1, padding: 1, groups: 64, device)
                : new Residual(narrow, blocks[0], groups: 128, device),
            new DepthWise(narrow, narrow, residual: false, stride: 2, groups: 128, device),
            new Residual(narrow, blocks[1], groups: 128, device),
            new DepthWise(narrow, wide, residual: false, stride: 2, groups: 256, device),
            new Residual(wide, blocks[2], groups: 256, device),
            new DepthWise(wide, wide, residual: false, stride: 2, groups: 512, device),
            new Residual(wide, blocks[3], groups: 256, device));
        conv_sep = new ConvBlock(wide, 512, kernel: 1, stride: 1, padding: 0, groups: 1, device);
        features = new Gdc(embeddingSize, device);
        RegisterComponents();

        using (no_grad())
            foreach (var module in modules())
            {
                if (module is Conv2d conv) KaimingFanOut(conv.weight!);
                else if (module is Linear linear) KaimingFanOut(linear.weight!);
            }
    }

    private static void KaimingFanOut(Tensor weight) =>
        nn.init.kaiming_normal_(weight, mode: nn.init.FanInOut.FanOut, nonlinearity: nn.init.NonlinearityType.ReLU);

    /// <inheritdoc/>
    public override Tensor forward(Tensor x)
    {
        using var scope = NewDisposeScope();
        return scope.MoveToOuter(LayerChain.Run(x, [.. layers, conv_sep, features]));
    }

    /// <inheritdoc/>
    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            layers.Dispose(); conv_sep.Dispose(); features.Dispose();
        }
        base.Dispose(disposing);
    }
}

using TorchSharp.Modules;
using static TorchSharp.torch;

namespace InsightFace.Engine.Backbones;

/// <summary>
/// arcface_torch's IResNet (iresnet18…200): a PReLU stem, four stages of <see cref="IBasicBlock"/> that each
/// start with stride 2 (112→56→28→14→7), then BN2d → flatten → dropout → Linear(25088→E) → BatchNorm1d
/// <c>features</c> whose weight is fixed at 1 and not trained. Field names match arcface_torch's state_dict keys.
/// </summary>
public sealed class IResNet : Backbone
{
    private const double BatchNormEps = 1e-5;
    private const long StemChannels = 64;
    private const long FinalSpatial = 7 * 7;
    private static readonly long[] StagePlanes = [64, 128, 256, 512];

    private readonly Conv2d conv1;
    private readonly BatchNormLayer bn1;
    private readonly PReLU prelu;
    private readonly Sequential layer1;
    private readonly Sequential layer2;
    private readonly Sequential layer3;
    private readonly Sequential layer4;
    private readonly BatchNormLayer bn2;
    private readonly Dropout dropout;
    private readonly Linear fc;
    private readonly BatchNormLayer features;

    /// <summary>
    /// Builds an IResNet with <paramref name="blocksPerStage"/> blocks in each of the four stages
    /// (r50 is 3, 4, 14, 3), initialised as arcface_torch does: conv weights N(0, 0.1), BatchNorm 1 and 0,
    /// PReLU 0.25, the Linear layer with PyTorch's default. Parameters are created on <paramref name="device"/>
    /// (null: the CPU); the <c>meta</c> device builds the structure without memory.
    /// </summary>
    public IResNet(IReadOnlyList<int> blocksPerStage, long embeddingSize, double dropoutRate, Device? device = null)
        : base(nameof(IResNet), embeddingSize)
    {
        if (blocksPerStage.Count != StagePlanes.Length || blocksPerStage.Any(n => n < 1))
            throw new ArgumentException("An IResNet needs four stages of at least one block each.", nameof(blocksPerStage));

        conv1 = nn.Conv2d(3, StemChannels, 3, stride: 1, padding: 1, bias: false, device: device);
        bn1 = BatchNormLayer.TwoD(StemChannels, BatchNormEps, device: device);
        prelu = nn.PReLU(StemChannels, device: device);
        layer1 = MakeStage(StemChannels, StagePlanes[0], blocksPerStage[0], device);
        layer2 = MakeStage(StagePlanes[0], StagePlanes[1], blocksPerStage[1], device);
        layer3 = MakeStage(StagePlanes[1], StagePlanes[2], blocksPerStage[2], device);
        layer4 = MakeStage(StagePlanes[2], StagePlanes[3], blocksPerStage[3], device);
        bn2 = BatchNormLayer.TwoD(StagePlanes[3], BatchNormEps, device: device);
        dropout = nn.Dropout(dropoutRate);
        fc = nn.Linear(StagePlanes[3] * FinalSpatial, embeddingSize, device: device);
        features = BatchNormLayer.OneD(embeddingSize, BatchNormEps, device: device);
        RegisterComponents();

        using (no_grad())
        {
            foreach (var module in modules())
                if (module is Conv2d conv) nn.init.normal_(conv.weight!, 0, 0.1);
            // The embedding BatchNorm keeps a unit scale: only its shift is learnt (arcface_torch).
            nn.init.ones_(features.weight!);
        }
        features.weight!.requires_grad = false;
    }

    private static Sequential MakeStage(long inplanes, long planes, int blocks, Device? device)
    {
        var stage = nn.Sequential();
        stage.append(new IBasicBlock(inplanes, planes, stride: 2, withDownsample: true, device));
        for (var i = 1; i < blocks; i++)
            stage.append(new IBasicBlock(planes, planes, stride: 1, withDownsample: false, device));
        return stage;
    }

    /// <inheritdoc/>
    public override Tensor forward(Tensor x)
    {
        using var scope = NewDisposeScope();
        using var maps = LayerChain.Run(x, conv1, bn1, prelu, layer1, layer2, layer3, layer4, bn2);
        return scope.MoveToOuter(LayerChain.Run(maps.flatten(1), dropout, fc, features));
    }

    /// <inheritdoc/>
    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            conv1.Dispose(); bn1.Dispose(); prelu.Dispose();
            layer1.Dispose(); layer2.Dispose(); layer3.Dispose(); layer4.Dispose();
            bn2.Dispose(); dropout.Dispose(); fc.Dispose(); features.Dispose();
        }
        base.Dispose(disposing);
    }
}

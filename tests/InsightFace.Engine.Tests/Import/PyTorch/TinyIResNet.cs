using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace InsightFace.Engine.Tests.Import.PyTorch;

/// <summary>
/// TorchSharp twin of make_pth_fixtures.py's TinyIResNet: arcface_torch's iresnet module names and layout,
/// width 4, one stage of two blocks, 4x4 input, embedding 6.
/// </summary>
public sealed class TinyIResNet : nn.Module<Tensor, Tensor>
{
    private readonly Conv2d conv1 = nn.Conv2d(3, 4, 3, padding: 1, bias: false);
    private readonly BatchNorm2d bn1 = nn.BatchNorm2d(4, eps: 1e-5);
    private readonly PReLU prelu = nn.PReLU(4);
    private readonly Sequential layer1 = nn.Sequential(
        new IBasicBlock(4, 4, 2, nn.Sequential(nn.Conv2d(4, 4, 1, stride: 2, bias: false), nn.BatchNorm2d(4, eps: 1e-5))),
        new IBasicBlock(4, 4, 1, null));
    private readonly BatchNorm2d bn2 = nn.BatchNorm2d(4, eps: 1e-5);
    private readonly Linear fc = nn.Linear(16, 6);
    private readonly BatchNorm1d features = nn.BatchNorm1d(6, eps: 1e-5);

    public TinyIResNet() : base(nameof(TinyIResNet)) => RegisterComponents();

    public override Tensor forward(Tensor x)
    {
        x = layer1.forward(prelu.forward(bn1.forward(conv1.forward(x))));
        return features.forward(fc.forward(torch.flatten(bn2.forward(x), 1)));
    }

    /// <summary>The input the fixture's expected output was computed for: sin(n*1000 + c*100 + h*10 + w).</summary>
    public static Tensor FixtureInput()
    {
        var values = new float[2 * 3 * 4 * 4];
        for (var i = 0; i < values.Length; i++)
            values[i] = (float)Math.Sin(i / 48 * 1000 + i / 16 % 3 * 100 + i / 4 % 4 * 10 + i % 4);
        return torch.tensor(values, [2, 3, 4, 4]);
    }

    private sealed class IBasicBlock : nn.Module<Tensor, Tensor>
    {
        private readonly BatchNorm2d bn1;
        private readonly Conv2d conv1;
        private readonly BatchNorm2d bn2;
        private readonly PReLU prelu;
        private readonly Conv2d conv2;
        private readonly BatchNorm2d bn3;
        private readonly Sequential? downsample;

        public IBasicBlock(int inplanes, int planes, int stride, Sequential? downsample) : base(nameof(IBasicBlock))
        {
            bn1 = nn.BatchNorm2d(inplanes, eps: 1e-5);
            conv1 = nn.Conv2d(inplanes, planes, 3, padding: 1, bias: false);
            bn2 = nn.BatchNorm2d(planes, eps: 1e-5);
            prelu = nn.PReLU(planes);
            conv2 = nn.Conv2d(planes, planes, 3, stride: stride, padding: 1, bias: false);
            bn3 = nn.BatchNorm2d(planes, eps: 1e-5);
            this.downsample = downsample;
            RegisterComponents();
        }

        public override Tensor forward(Tensor x)
        {
            var output = bn3.forward(conv2.forward(prelu.forward(bn2.forward(conv1.forward(bn1.forward(x))))));
            return output + (downsample is null ? x : downsample.forward(x));
        }
    }
}

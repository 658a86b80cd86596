using InsightFace.Engine.Optim;
using TorchSharp;

namespace InsightFace.Engine.Tests.Optim;

public class PolynomialLRWarmupTests
{
    // PyTorch's recursive form: lr_t = lr_{t-1} · ((1 − (t−w)/(T−w)) / (1 − (t−1−w)/(T−w)))^p after warm-up,
    // base·t/w during it, unchanged at t = 0 and after T. Computed step by step in float64, independently of the
    // closed form the scheduler uses.
    private static double[] Recursive(double baseLr, int w, int total, double p, int steps)
    {
        var lrs = new double[steps + 1];
        var lr = baseLr;
        for (var t = 0; t <= steps; t++)
        {
            if (t == 0 || t > total) { }
            else if (t <= w) lr = baseLr * t / w;
            else lr *= Math.Pow((1.0 - (double)(t - w) / (total - w)) / (1.0 - (double)(t - 1 - w) / (total - w)), p);
            lrs[t] = lr;
        }
        return lrs;
    }

    [Theory]
    [InlineData(0.1, 0, 100, 1.0)]
    [InlineData(0.1, 10, 100, 1.0)]
    [InlineData(0.4, 20, 200, 2.0)]
    [InlineData(0.001, 4, 40, 1.0)]
    public void Matches_pytorchs_recursive_form_step_by_step(double baseLr, int w, int total, double p)
    {
        var expected = Recursive(baseLr, w, total, p, total + 5);
        var schedule = new PolynomialLRWarmup(baseLr, w, total, p);
        for (var t = 0; t < expected.Length; t++)
            Assert.Equal(expected[t], schedule.LearningRate(t), 12);
    }

    [Fact]
    public void Known_points_of_the_linear_schedule()
    {
        var s = new PolynomialLRWarmup(0.1, warmupSteps: 10, totalSteps: 110);
        Assert.Equal(0.1, s.LearningRate(0));      // PyTorch's first iteration runs at the base rate
        Assert.Equal(0.01, s.LearningRate(1), 15);
        Assert.Equal(0.1, s.LearningRate(10), 15);
        Assert.Equal(0.05, s.LearningRate(60), 15);
        Assert.Equal(0.0, s.LearningRate(110));
        Assert.Equal(0.0, s.LearningRate(500));
    }

    [Fact]
    public void Sets_every_parameter_group()
    {
        using var a = torch.nn.Linear(2, 2);
        using var b = torch.nn.Linear(2, 2);
        using var sgd = torch.optim.SGD(new[]
        {
            new TorchSharp.Modules.SGD.ParamGroup(a.parameters()),
            new TorchSharp.Modules.SGD.ParamGroup(b.parameters()),
        }, 0.1);
        new PolynomialLRWarmup(0.1, 0, 10).Apply(sgd, 5);
        Assert.All(sgd.ParamGroups, g => Assert.Equal(0.05, g.LearningRate, 15));
    }

    [Fact]
    public void Rejects_a_warmup_longer_than_the_run()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new PolynomialLRWarmup(0.1, 11, 10));
        Assert.Throws<ArgumentOutOfRangeException>(() => new PolynomialLRWarmup(0.1, 0, 0));
    }
}

using TorchSharp;

namespace InsightFace.Engine.Optim;

/// <summary>
/// arcface_torch's PolynomialLRWarmup, stepped every iteration: linear warm-up to the base rate over
/// <c>warmupSteps</c>, then base·(1 − (t − w)/(T − w))^power down to 0 at <c>totalSteps</c>.
/// </summary>
/// <remarks>
/// It reproduces one quirk of the PyTorch class on purpose: before the first scheduler step (t = 0) the rate is
/// the base rate, not 0, because PyTorch's get_lr returns the group's rate unchanged when last_epoch is 0. So with
/// warm-up the very first iteration runs at the base rate, then the rate drops to base/w and climbs.
/// </remarks>
public sealed class PolynomialLRWarmup
{
    /// <summary>Creates the schedule.</summary>
    public PolynomialLRWarmup(double baseLr, long warmupSteps, long totalSteps, double power = 1.0)
    {
        if (totalSteps <= 0) throw new ArgumentOutOfRangeException(nameof(totalSteps), totalSteps, "must be positive");
        if (warmupSteps < 0 || warmupSteps > totalSteps)
            throw new ArgumentOutOfRangeException(nameof(warmupSteps), warmupSteps, $"must be in [0, {totalSteps}]");
        BaseLr = baseLr;
        WarmupSteps = warmupSteps;
        TotalSteps = totalSteps;
        Power = power;
    }

    /// <summary>The peak rate.</summary>
    public double BaseLr { get; }
    /// <summary>Steps of linear warm-up.</summary>
    public long WarmupSteps { get; }
    /// <summary>Step at which the rate reaches 0.</summary>
    public long TotalSteps { get; }
    /// <summary>Power of the decay (1 today, 2 in arcface_torch's 2022 PolyScheduler).</summary>
    public double Power { get; }

    /// <summary>The rate after <paramref name="stepsTaken"/> scheduler steps.</summary>
    public double LearningRate(long stepsTaken)
    {
        if (stepsTaken <= 0) return BaseLr;
        if (stepsTaken <= WarmupSteps) return BaseLr * stepsTaken / WarmupSteps;
        if (WarmupSteps == TotalSteps) return BaseLr;
        var t = Math.Min(stepsTaken, TotalSteps);
        return BaseLr * Math.Pow(1.0 - (double)(t - WarmupSteps) / (TotalSteps - WarmupSteps), Power);
    }

    /// <summary>Sets every parameter group of <paramref name="optimizer"/> to the rate after <paramref name="stepsTaken"/> steps.</summary>
    public void Apply(torch.optim.Optimizer optimizer, long stepsTaken)
    {
        var lr = LearningRate(stepsTaken);
        foreach (var group in optimizer.ParamGroups) group.LearningRate = lr;
    }
}

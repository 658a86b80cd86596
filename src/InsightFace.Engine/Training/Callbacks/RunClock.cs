using System.Diagnostics;

namespace InsightFace.Engine.Training.Callbacks;

/// <summary>The time a run (or a resumed part of it) has taken, and what that says about the rest.</summary>
internal sealed class RunClock(long stepsAtStart, long totalSteps)
{
    private readonly Stopwatch _watch = Stopwatch.StartNew();

    public TimeSpan Elapsed => _watch.Elapsed;

    /// <summary>Seconds per iteration since the start, after <paramref name="globalStep"/> iterations.</summary>
    public double SecondsPerStep(long globalStep) => _watch.Elapsed.TotalSeconds / (globalStep - stepsAtStart);

    /// <summary>The time the remaining iterations will take at the rate so far.</summary>
    public TimeSpan Remaining(long globalStep) => TimeSpan.FromSeconds(SecondsPerStep(globalStep) * (totalSteps - globalStep));
}

using InsightFace.Engine.Configuration;

namespace InsightFace.Engine.Training.Callbacks;

/// <summary>Reports every iteration to the observer, for progress bars.</summary>
internal sealed class ProgressCallback(ITrainingObserver observer, TrainingConfig config, RunClock clock) : ITrainingCallback
{
    public void AfterIteration(IterationReport report)
    {
        var perStep = clock.SecondsPerStep(report.GlobalStep);
        observer.Step(new TrainingStep(report.Epoch, report.GlobalStep, config.TotalSteps, config.StepsPerEpoch, report.Loss,
            report.LearningRate, config.TotalBatchSize / perStep, clock.Remaining(report.GlobalStep)));
    }
}

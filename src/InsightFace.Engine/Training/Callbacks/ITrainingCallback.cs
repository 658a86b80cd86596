namespace InsightFace.Engine.Training.Callbacks;

/// <summary>Something the training loop calls after every iteration, as arcface_torch's callbacks are.</summary>
internal interface ITrainingCallback
{
    /// <summary>Iteration <see cref="IterationReport.GlobalStep"/> finished.</summary>
    void AfterIteration(IterationReport report);
}

/// <summary>What a callback sees after an iteration.</summary>
/// <param name="Epoch">Zero-based epoch.</param>
/// <param name="GlobalStep">Iterations done so far, this one included.</param>
/// <param name="Loss">This iteration's loss.</param>
/// <param name="LearningRate">The rate this iteration used.</param>
/// <param name="Skipped">True when the loss was not finite and the batch was skipped.</param>
/// <param name="EpochLoss">The mean loss of this epoch so far.</param>
internal readonly record struct IterationReport(int Epoch, long GlobalStep, double Loss, double LearningRate, bool Skipped, double EpochLoss);

using InsightFace.Engine.Evaluation;

namespace InsightFace.Engine.Training;

/// <summary>One optimizer iteration finished (reported every step, for progress).</summary>
/// <param name="Epoch">Zero-based epoch.</param>
/// <param name="GlobalStep">Iterations done so far.</param>
/// <param name="TotalSteps">Iterations of the whole run.</param>
/// <param name="StepsPerEpoch">Iterations per epoch.</param>
/// <param name="Loss">This iteration's loss.</param>
/// <param name="LearningRate">The rate this iteration used.</param>
/// <param name="SamplesPerSecond">Global samples per second, averaged since the run (or resume) started.</param>
/// <param name="Remaining">Estimated time to the end.</param>
public sealed record TrainingStep(int Epoch, long GlobalStep, long TotalSteps, long StepsPerEpoch, double Loss,
    double LearningRate, double SamplesPerSecond, TimeSpan Remaining);

/// <summary>The periodic log record, every <c>frequent</c> steps, as arcface_torch's CallBackLogging writes it.</summary>
/// <param name="Epoch">Zero-based epoch.</param>
/// <param name="GlobalStep">Iterations done so far.</param>
/// <param name="LossAverage">Mean loss since the previous record.</param>
/// <param name="LearningRate">Current rate.</param>
/// <param name="SamplesPerSecond">Global samples per second since the previous record.</param>
/// <param name="RequiredHours">Estimated hours to the end.</param>
/// <param name="Line">The training.log message.</param>
public sealed record TrainingMetrics(int Epoch, long GlobalStep, double LossAverage, double LearningRate,
    double SamplesPerSecond, double RequiredHours, string Line);

/// <summary>Receives what a training run does, synchronously on the training thread.</summary>
public interface ITrainingObserver
{
    /// <summary>A lifecycle message: resolved values, device, checkpoint written.</summary>
    void Message(string text);

    /// <summary>An iteration finished.</summary>
    void Step(TrainingStep step);

    /// <summary>A periodic log record was written.</summary>
    void Logged(TrainingMetrics metrics);

    /// <summary>Verification ran on the validation targets.</summary>
    void Verified(long globalStep, IReadOnlyList<VerificationResult> results);

    /// <summary>A checkpoint was written.</summary>
    void CheckpointSaved(Checkpoints.CheckpointInfo checkpoint);
}

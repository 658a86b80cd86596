using InsightFace.Engine.Checkpoints;
using InsightFace.Engine.Evaluation;
using InsightFace.Engine.Training;

namespace InsightFace.Engine.Tests.Training;

/// <summary>Keeps everything a training run reports, for tests to assert on.</summary>
internal sealed class RecordingObserver(Action<TrainingStep>? onStep = null) : ITrainingObserver
{
    public List<double> Losses { get; } = new();
    public List<string> Messages { get; } = new();
    public List<TrainingMetrics> Logs { get; } = new();
    public List<VerificationResult> Verifications { get; } = new();

    public void Message(string text) => Messages.Add(text);

    public void Step(TrainingStep step)
    {
        Losses.Add(step.Loss);
        onStep?.Invoke(step);
    }

    public void Logged(TrainingMetrics metrics) => Logs.Add(metrics);

    public void Verified(long globalStep, IReadOnlyList<VerificationResult> results) => Verifications.AddRange(results);

    public void CheckpointSaved(CheckpointInfo checkpoint) { }
}

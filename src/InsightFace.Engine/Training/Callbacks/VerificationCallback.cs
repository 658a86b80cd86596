using InsightFace.Engine.Configuration;
using InsightFace.Engine.Evaluation;
using TorchSharp;
using static TorchSharp.torch;

namespace InsightFace.Engine.Training.Callbacks;

/// <summary>
/// arcface_torch's CallBackVerification: every <c>verbose</c> iterations, the verification protocol on each
/// target, logged like the training lines; the backbone is saved to best/ when the first target improves.
/// </summary>
internal sealed class VerificationCallback(
    RunLogs logs, ITrainingObserver observer, TrainingConfig config, IReadOnlyList<ValidationTarget> targets,
    nn.Module<Tensor, Tensor> backbone, Device device, CheckpointWriter checkpoints) : ITrainingCallback
{
    /// <summary>The best accuracy on the first target so far (NaN before the first verification); saved for resume.</summary>
    public double BestAccuracy { get; set; } = double.NaN;

    public void AfterIteration(IterationReport report)
    {
        if (report.GlobalStep % config.Verbose != 0 || targets.Count == 0) return;
        var step = report.GlobalStep;
        var runner = new VerificationRunner(new TorchModuleEmbedder(backbone, $"{config.Network} step {step}", device));
        var results = targets.Select(t => runner.Run(t.Name, t.Set)).ToList();
        foreach (var result in results)
        {
            foreach (var line in result.LogLines(checked((int)step))) logs.Log.Write(line);
            logs.Metrics.Write(new { type = "verification", step, target = result.Target, accuracy = result.Accuracy,
                accuracy_std = result.AccuracyStd, xnorm = result.XNorm, tar_at_far = result.TarAtFar, time = DateTimeOffset.UtcNow });
            logs.TensorBoard.Scalar(result.Target, result.Accuracy, step);
        }
        var first = results[0];
        if (!(first.Accuracy <= BestAccuracy))
        {
            BestAccuracy = first.Accuracy;
            checkpoints.SaveBest(report.Epoch, step, report.EpochLoss);
            logs.Log.Write($"[{first.Target}][{step}]Accuracy-Highest: {BestAccuracy:F5} (saved to best/)");
        }
        observer.Verified(step, results);
    }
}

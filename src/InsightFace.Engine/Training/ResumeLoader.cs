using InsightFace.Engine.Heads;
using InsightFace.Engine.Import;
using InsightFace.Engine.Import.PyTorch;
using static TorchSharp.torch;

namespace InsightFace.Engine.Training;

/// <summary>Loads what <see cref="CheckpointWriter"/> saved back into the parts of a run that continues it.</summary>
internal static class ResumeLoader
{
    /// <summary>Loads the plan's resume checkpoint into the backbone, the head and the optimizers.</summary>
    /// <exception cref="TrainingException">ResumeIncompatible: a file is missing or does not fit.</exception>
    public static void Load(TrainingPlan plan, nn.Module backbone, PartialFC head, OptimizationStep step)
    {
        var checkpoint = plan.ResumeFrom ?? throw new InvalidOperationException("The plan does not resume.");
        try
        {
            using (var weights = PthReader.Read(checkpoint.ModelPath)) StateDictLoader.Load(backbone, weights, checkpoint.ModelPath);
            using (var headState = PthReader.Read(Path.Combine(checkpoint.Folder, CheckpointWriter.HeadFileName)))
            using (no_grad())
            {
                head.weight.copy_(headState["weight"]);
                step.HeadMomentum?.copy_(headState["momentum"]);
            }
            step.LoadOptimizerState(Path.Combine(checkpoint.Folder, CheckpointWriter.OptimizerFileName));
            var gradients = Path.Combine(checkpoint.Folder, CheckpointWriter.GradientsFileName);
            if (File.Exists(gradients))
                using (var pending = PthReader.Read(gradients))
                    step.RestorePendingGradients(pending);
        }
        catch (Exception e) when (e is IOException or StateDictMismatchException or PthFormatException or KeyNotFoundException)
        {
            throw new TrainingException(ErrorIds.ResumeIncompatible, $"{checkpoint.Folder}: the saved state cannot be loaded: {e.Message}", e);
        }
    }
}

using InsightFace.Engine.Distributed;
using InsightFace.Engine.Checkpoints;
using InsightFace.Engine.Configuration;
using InsightFace.Engine.Data;
using InsightFace.Engine.Heads;

namespace InsightFace.Engine.Training;

/// <summary>What to train: a resolved config, the dataset, the run folder and the verification sets.</summary>
/// <param name="Config">The validated configuration.</param>
/// <param name="Dataset">The training images; the trainer does not dispose it.</param>
/// <param name="RunFolder">The run folder (config output): logs, checkpoints, model.pt.</param>
public sealed record TrainingRequest(ResolvedConfig Config, IFaceDataset Dataset, string RunFolder)
{
    /// <summary>Verification .bin files run every <c>verbose</c> steps.</summary>
    public IReadOnlyList<string> ValidationSets { get; init; } = Array.Empty<string>();

    /// <summary>Continue from the run folder's newest resumable checkpoint.</summary>
    public bool Resume { get; init; }

    /// <summary>Replace an existing run folder instead of refusing it.</summary>
    public bool Overwrite { get; init; }

    /// <summary>The processes of the job and how they talk; one process by default.</summary>
    public ICollectives Collectives { get; init; } = SingleProcessCollectives.Instance;

    /// <summary>
    /// When true, a one-process run chooses libtorch's threads from the cores other processes leave free, and again
    /// every few seconds (<see cref="Runtime.ThreadBudget"/>), unless OMP_NUM_THREADS is set. Start-FaceTraining sets it
    /// unless -ThreadsPerProcess is given.
    /// </summary>
    public bool ThreadsFromFreeCores { get; init; }
}

/// <summary>What a finished run produced.</summary>
/// <param name="Final">The last checkpoint written; for a resume of a run that had already finished, its final checkpoint.</param>
/// <param name="Saved">Every checkpoint written by this run, in order (none when it had already finished).</param>
public sealed record TrainingOutcome(CheckpointInfo Final, IReadOnlyList<CheckpointInfo> Saved);

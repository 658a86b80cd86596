using InsightFace.Engine.Backbones;
using InsightFace.Engine.Checkpoints;
using InsightFace.Engine.Configuration;
using InsightFace.Engine.Data.Loading;
using InsightFace.Engine.Data.Verification;
using InsightFace.Engine.Evaluation;
using InsightFace.Engine.Runtime;
using static TorchSharp.torch;

namespace InsightFace.Engine.Training;

/// <summary>
/// Everything a training run will do, checked before it does any of it: the config against the dataset, the
/// device, the precision, the verification sets, the run folder and the state a resume continues from. Making a
/// plan reads files but never writes, creates or deletes one, so a run that would fail fails here with the user's
/// files as they were, and <c>-WhatIf</c> runs exactly these checks.
/// </summary>
public sealed class TrainingPlan
{
    private TrainingPlan(TrainingRequest request, Device device, IReadOnlyList<ValidationTarget> validation)
    {
        Request = request;
        Device = device;
        ValidationTargets = validation;
    }

    /// <summary>What was asked for.</summary>
    public TrainingRequest Request { get; }

    /// <summary>The resolved config.</summary>
    public TrainingConfig Config => Request.Config.Config;

    /// <summary>The run folder, as a full path.</summary>
    public string RunFolder => Path.GetFullPath(Request.RunFolder);

    /// <summary>The device the run trains on.</summary>
    public Device Device { get; }

    /// <summary>The verification sets, read and checked.</summary>
    public IReadOnlyList<ValidationTarget> ValidationTargets { get; }

    /// <summary>The checkpoint a resumed run continues from; null for a fresh run.</summary>
    public CheckpointInfo? ResumeFrom { get; private init; }

    /// <summary>Where <see cref="ResumeFrom"/> stands.</summary>
    internal TrainingState? ResumeState { get; private init; }

    /// <summary>True when the run folder holds an earlier run that starting this one deletes (<c>-Force</c>).</summary>
    public bool ReplacesRun { get; private init; }

    /// <summary>
    /// For a resume of a run that has already trained every epoch of the config: its final checkpoint, which the run
    /// returns without training or writing anything. Null otherwise.
    /// </summary>
    public CheckpointInfo? Finished { get; private init; }

    /// <summary>Things the user should know before the run starts.</summary>
    public IReadOnlyList<string> Warnings { get; private init; } = Array.Empty<string>();

    /// <summary>
    /// Checks <paramref name="request"/> and returns what the run will do.
    /// </summary>
    /// <exception cref="TrainingException">The dataset does not fit the config (DatasetIncompatible), the run folder
    /// already holds a run (RunExists) or another training holds it (RunFolderLocked), or there is nothing to resume
    /// or it does not fit (ResumeNotFound, ResumeIncompatible), or the ranks of a job of several processes were given
    /// different configs, datasets or module versions (RanksDisagree). In such a job every rank must call it.</exception>
    /// <exception cref="DeviceUnavailableException">The device cannot be used.</exception>
    /// <exception cref="PrecisionNotSupportedException">fp16 was asked for.</exception>
    /// <exception cref="VerificationSetException">A verification set cannot be read.</exception>
    public static TrainingPlan Create(TrainingRequest request)
    {
        var config = request.Config.Config;
        var collectives = request.Collectives;
        if (collectives.WorldSize != config.WorldSize)
            throw new ArgumentException(
                $"The config was resolved for {config.WorldSize} processes, but the job has {collectives.WorldSize}.", nameof(request));
        CheckDataset(request);
        var device = DeviceSelector.Resolve(DeviceOf(config.Device, collectives));
        BackboneRegistry.CheckPrecision(config.Fp16, device);
        var validation = request.ValidationSets
            .Select(path => new ValidationTarget(Path.GetFileNameWithoutExtension(path), VerificationBinReader.Read(path)))
            .ToArray();

        var run = Path.GetFullPath(request.RunFolder);
        // Only rank 0 takes the lock, so only rank 0 looks: a probe holds the lock for a moment, and two ranks probing
        // at once each saw the other's probe as a training holding the folder.
        if (collectives.Rank == 0) RunFolderLock.ThrowIfHeld(run);
        var existing = File.Exists(Path.Combine(run, CheckpointManifest.FileName)) ||
                       Directory.Exists(Path.Combine(run, CheckpointStore.CheckpointsFolder));
        var resume = request.Resume || config.Resume;
        if (existing && !resume && !request.Overwrite)
            throw new TrainingException(ErrorIds.RunExists, $"{run} already holds a training run. Use -Resume to continue it or -Force to replace it.");
        var warnings = request.Config.Warnings.ToList();
        // A set whose folds hold one kind of pair gives TAR@FAR NaN at every verification: say so before training.
        warnings.AddRange(validation.Select(v => FoldBalance.Warning(v.Name, v.Set.IsSame)).OfType<string>());
        if (!resume)
        {
            RankAgreement.Check(request, resumeFrom: null);
            return new TrainingPlan(request, device, validation) { ReplacesRun = existing, Warnings = warnings };
        }

        var (checkpoint, state) = FindResumeState(run, request);
        var finished = state.Epoch >= config.NumEpoch;
        if (finished)
            warnings.Add($"{run} has already trained {state.Epoch} of the config's {config.NumEpoch} epochs ({state.GlobalStep} steps): " +
                         $"nothing to train. Its final checkpoint, {checkpoint.Folder}, is returned.");
        if (!finished && state.WorldSize != config.WorldSize)
            warnings.Add($"{checkpoint.Folder} was trained by {state.WorldSize} process(es) and resumes with {config.WorldSize}: the head is re-sharded.");
        RankAgreement.Check(request, checkpoint.Folder);
        return new TrainingPlan(request, device, validation)
        {
            ResumeFrom = checkpoint, ResumeState = state, Finished = finished ? checkpoint : null, Warnings = warnings,
        };
    }

    // In a job of several processes, cuda (without an index) is each process's own GPU: cuda:{local rank}, as
    // arcface_torch's torch.cuda.set_device(local_rank).
    // Where the scheduler shows each process only its own GPU (CUDA_VISIBLE_DEVICES, srun --gpus-per-task=1), that
    // one is cuda:0.
    private static string DeviceOf(string device, Distributed.ICollectives collectives)
    {
        if (collectives.WorldSize == 1 || !device.Trim().Equals("cuda", StringComparison.OrdinalIgnoreCase)) return device;
        return cuda.is_available() && cuda.device_count() == 1 ? "cuda:0" : $"cuda:{collectives.LocalRank}";
    }

    private static void CheckDataset(TrainingRequest request)
    {
        var config = request.Config.Config;
        var dataset = request.Dataset;
        if (dataset.NumClasses > config.NumClasses)
            throw new TrainingException(ErrorIds.DatasetIncompatible,
                $"num_classes ({config.NumClasses}) is smaller than the dataset's {dataset.NumClasses} identities: labels would fall outside the classifier.");
        var batches = TrainingLoader.BatchesPerEpochOf(dataset.Count, LoaderOptions(request));
        if (batches != config.StepsPerEpoch)
            throw new TrainingException(ErrorIds.DatasetIncompatible,
                $"num_image ({config.NumImage}) gives {config.StepsPerEpoch} steps per epoch, but the dataset has {dataset.Count} images ({batches} batches of {config.BatchSize}).");
    }

    /// <summary>The loader settings of this run.</summary>
    internal static TrainingLoaderOptions LoaderOptions(TrainingRequest request)
    {
        var config = request.Config.Config;
        return new TrainingLoaderOptions(config.BatchSize, config.NumWorkers, config.Seed, request.Collectives.Rank, request.Collectives.WorldSize);
    }

    private static (CheckpointInfo Checkpoint, TrainingState State) FindResumeState(string run, TrainingRequest request)
    {
        var config = request.Config.Config;
        var checkpoint = CheckpointStore.List(run).LastOrDefault(c => c.Manifest.Resumable)
            ?? throw new TrainingException(ErrorIds.ResumeNotFound, $"{run} has no resumable checkpoint (save_all_states must be on): nothing to resume.");
        TrainingState state;
        try
        {
            state = TrainingState.Read(checkpoint.Folder);
        }
        catch (Exception e) when (e is IOException or System.Text.Json.JsonException)
        {
            throw new TrainingException(ErrorIds.ResumeIncompatible, $"{checkpoint.Folder}: {TrainingState.FileName} is missing or corrupt: {e.Message}", e);
        }
        var problems = new List<string>();
        if (state.Network != config.Network) problems.Add($"network {state.Network} vs {config.Network}");
        if (state.NumClasses != config.NumClasses) problems.Add($"num_classes {state.NumClasses} vs {config.NumClasses}");
        if (state.EmbeddingSize != config.EmbeddingSize) problems.Add($"embedding_size {state.EmbeddingSize} vs {config.EmbeddingSize}");
        // The head's centres and momentum re-shard; optimizer state that covers the head (dense SGD, AdamW) is
        // TorchSharp's own format per rank, which does not.
        // The position counts steps of the saved total batch; with another one the epoch and the schedule would not line up.
        var savedTotal = state.TotalBatchSize ?? (long)config.BatchSize * state.WorldSize;
        if (savedTotal != config.TotalBatchSize)
            problems.Add($"total batch {savedTotal} vs {config.TotalBatchSize} (batch_size × processes): keep it at {savedTotal}" +
                         (savedTotal % config.WorldSize == 0 ? $", batch_size {savedTotal / config.WorldSize} for {config.WorldSize} process(es)" : $", which {config.WorldSize} processes cannot split evenly"));
        if (state.WorldSize != config.WorldSize && ShardFiles.OptimizerPerRank(config))
            problems.Add($"{state.WorldSize} processes vs {config.WorldSize}: only optimizer sgd with pfc_update sparse re-shards the head's optimizer state; resume with {state.WorldSize} processes");
        // The optimizer state only loads into the optimizer it was saved from.
        if (state.Optimizer is { } optimizer && optimizer != config.Optimizer) problems.Add($"optimizer {optimizer} vs {config.Optimizer}");
        if (state.DenseCentreUpdate is { } dense && config.Optimizer == "sgd" && dense != config.DenseCentreUpdate)
            problems.Add($"pfc_update {(dense ? "dense" : "sparse")} vs {(config.DenseCentreUpdate ? "dense" : "sparse")}");
        if (problems.Count > 0)
            throw new TrainingException(ErrorIds.ResumeIncompatible, $"{checkpoint.Folder} cannot continue this config: {string.Join("; ", problems)}.");
        return (checkpoint, state);
    }
}

/// <summary>A verification set the run verifies on every <c>verbose</c> steps.</summary>
/// <param name="Name">The target's name: the file name without .bin.</param>
/// <param name="Set">The pairs.</param>
public sealed record ValidationTarget(string Name, VerificationSet Set);

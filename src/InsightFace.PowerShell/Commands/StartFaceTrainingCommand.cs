using System.Collections;
using System.Management.Automation;
using InsightFace.Engine;
using InsightFace.Engine.Checkpoints;
using InsightFace.Engine.Configuration;
using InsightFace.Engine.Data;
using InsightFace.Engine.Training;

namespace InsightFace.PowerShell.Commands;

/// <summary>Trains a face-recognition backbone from an arcface_torch-style YAML config.</summary>
/// <remarks>
/// <para>Start-FaceTraining does what arcface_torch's train_v2.py does, in this pwsh process: it builds the backbone
/// (r18–r200, mbf, mbf_large), Partial FC with the combined margin loss (ArcFace, CosFace, combined), SGD with
/// momentum and weight decay (or AdamW) with a per-iteration polynomial schedule after a linear warm-up, gradient
/// clipping at norm 5 and gradient accumulation, and trains on the dataset the config's rec names, or the one piped
/// in (Get-FaceDataset). It runs synchronously and returns the final FaceCheckpoint, which pipes into
/// Test-FaceVerification and Export-FaceOnnx.</para>
/// <para>Configuration precedence, highest first: explicit parameters (-Device, -OutputPath, -Epochs, -BatchSize),
/// -Set, the piped dataset (rec, num_classes, num_image), the YAML file, its base: chain, and the built-in defaults
/// (arcface_torch's configs/base.py). Unknown keys, wrong types and impossible values fail before any work starts,
/// with a "did you mean". -WhatIf resolves and validates everything, then stops: a dry run for CI.</para>
/// <para>The run folder (the config's output, default work_dirs/&lt;config name&gt;) receives config.resolved.yaml,
/// training.log in arcface_torch's format, metrics.jsonl, TensorBoard event files, a checkpoint per epoch under
/// checkpoints/ (the newest also as model.pt and checkpoint.json in the folder itself), and best/ when verification
/// improves. Verification runs every verbose steps on val_targets, the .bin files beside the dataset; a target that
/// cannot be found is a warning.</para>
/// <para>Ctrl+C and SIGTERM (a CI cancel) save a resumable checkpoint first and say where; a pwsh -File script then
/// ends with exit code 130 (Ctrl+C) or 143 (SIGTERM). -Resume continues the run exactly: the same losses and final
/// weights as an uninterrupted run. A NaN or infinite loss stops with a LossNotFinite error naming the step and keeps
/// the last good checkpoint (nan_policy: skip skips the batch instead). Progress shows epoch and step with loss, speed
/// and time remaining; -Verbose shows the lifecycle and verification lines; the periodic log lines are Information
/// records tagged InsightFace.Metrics. One training per process: libtorch's seeds and threads are process-wide. One
/// training per run folder: a second one stops with RunFolderLocked, naming the process that holds it.</para>
/// </remarks>
/// <example>
/// <code>Start-FaceTraining -Config examples/configs/synthetic_mbf.yaml -OutputPath work_dirs/synthetic</code>
/// <para>Trains a MobileFaceNet on the built-in synthetic identities and returns the final checkpoint.</para>
/// </example>
/// <example>
/// <code>Get-FaceDataset datasets/faces_emore | Start-FaceTraining -Config examples/configs/ms1mv2_r50.yaml -Set @{ lr = 0.02; batch_size = 64 }</code>
/// <para>Trains on the piped dataset with two values overridden.</para>
/// </example>
/// <example>
/// <code>Start-FaceTraining -Config examples/configs/ms1mv3_r50.yaml -WhatIf -Verbose</code>
/// <para>Validates the config and the dataset and shows the derived values without training.</para>
/// </example>
/// <example>
/// <code>Start-FaceTraining -Config examples/configs/synthetic_mbf.yaml -OutputPath work_dirs/synthetic -Resume</code>
/// <para>Continues an interrupted run from its newest resumable checkpoint.</para>
/// </example>
[Cmdlet(VerbsLifecycle.Start, "FaceTraining", SupportsShouldProcess = true)]
[OutputType(typeof(FaceCheckpoint))]
public sealed class StartFaceTrainingCommand : InsightFaceCmdlet
{
    private const int EpochActivity = 1;
    private const int StepActivity = 2;

    private FaceDataset? _dataset;

    /// <summary>The YAML config (arcface_torch's keys). Without it the built-in defaults apply, and -Set or a piped dataset must supply the rest.</summary>
    [Parameter(Position = 0)]
    [Alias("ConfigPath")]
    public string? Config { get; set; }

    /// <summary>
    /// The dataset to train on, overriding the config's rec: a FaceDataset from Get-FaceDataset (with its validation
    /// sets and OFRecord feature names), a path, or anything with a DatasetPath property.
    /// </summary>
    [Parameter(ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [Alias("DatasetPath")]
    public FaceDataset? Dataset { get; set; }

    /// <summary>Config overrides, for example @{ lr = 0.05; num_epoch = 2 }.</summary>
    [Parameter]
    public Hashtable? Set { get; set; }

    /// <summary>The run folder (the config's output).</summary>
    [Parameter]
    public string? OutputPath { get; set; }

    /// <summary>
    /// Continue the run in the run folder from its newest resumable checkpoint. A run that has already trained every
    /// epoch of the config returns its final checkpoint with a warning and trains nothing, so a CI script can run the
    /// same command again.
    /// </summary>
    [Parameter]
    public SwitchParameter Resume { get; set; }

    /// <summary>
    /// Replace an existing run folder. Nothing in it is deleted before every check (config, dataset, device,
    /// verification sets) has passed, and nothing at all under -WhatIf.
    /// </summary>
    [Parameter]
    public SwitchParameter Force { get; set; }

    /// <summary>The device: cpu, cuda or cuda:N (the config's device key).</summary>
    [Parameter]
    public string? Device { get; set; }

    /// <summary>The number of epochs (the config's num_epoch).</summary>
    [Parameter]
    [ValidateRange(1, int.MaxValue)]
    public int Epochs { get; set; }

    /// <summary>The batch size per process (the config's batch_size).</summary>
    [Parameter]
    [ValidateRange(1, int.MaxValue)]
    public int BatchSize { get; set; }

    /// <summary>Number of processes. Multi-process training (MPI) is not in this version: only 1 is accepted.</summary>
    [Parameter]
    [ValidateRange(1, 1024)]
    public int Processes { get; set; } = 1;

    /// <summary>Also write each checkpoint to the pipeline as it is saved, not only the final one.</summary>
    [Parameter]
    public SwitchParameter PassThru { get; set; }

    /// <inheritdoc />
    protected override void ProcessRecord() => _dataset ??= Dataset;

    /// <inheritdoc />
    protected override void EndProcessing()
    {
        if (Processes > 1)
            ThrowTerminatingError(NewErrorRecord("ProcessesNotSupported", new NotSupportedException(
                "Multi-process training (-Processes > 1, MPI) is not available in this version; run with -Processes 1."),
                Processes));

        IFaceDataset? dataset = null;
        try
        {
            StopOnErrors(Config ?? _dataset?.DatasetPath, () =>
            {
                var configPath = Config is null ? null : ResolveInputPath(Config);
                if (_dataset is not null)
                    dataset = _dataset.Open(_dataset.IsSynthetic ? _dataset.DatasetPath : ResolveInputPath(_dataset.DatasetPath));
                var resolved = ConfigResolver.Resolve(configPath, dataset is null ? null : TrainingSetup.Facts(dataset), PlainSet(), Parameters());
                var config = resolved.Config;
                foreach (var line in resolved.LogLines()) WriteVerbose(line);
                dataset ??= TrainingSetup.OpenDataset(ResolvePathValue(config.Rec), config.NumClasses, config.NumImage, config.Seed);

                var (validation, missing) = TrainingSetup.FindValidationSets(config.ValTargets, dataset, Array.Empty<string>());
                foreach (var target in missing) WriteWarning($"Verification target '{target}' was not found beside the dataset; it is skipped.");

                var run = ResolveOutputPath(config.Output);
                // Every check a run makes, without touching a file: -WhatIf stops after it, and -Force deletes nothing before it.
                var plan = TrainingPlan.Create(new TrainingRequest(resolved, dataset, run)
                {
                    ValidationSets = validation, Resume = Resume, Overwrite = Force,
                });
                foreach (var warning in plan.Warnings) WriteWarning(warning);
                if (!ShouldProcess(run, Action(plan))) return;

                var observer = new Observer(this);
                using var trainer = new Trainer(plan, observer);
                var outcome = Run(trainer, observer);
                observer.Complete();
                var final = FaceCheckpoint.From(outcome.Final);
                final.Verification = observer.LatestVerification;
                // With -PassThru every checkpoint went out as it was written; a finished run wrote none.
                if (!PassThru || outcome.Saved.Count == 0) WriteObject(final);
            });
        }
        finally
        {
            dataset?.Dispose();
        }
    }

    // Ctrl+C and SIGTERM stop the trainer through the token; it saves a resumable checkpoint, and the user is told where.
    private TrainingOutcome Run(Trainer trainer, Observer observer)
    {
        using var interruption = new RunInterruption(this, Stop);
        try
        {
            return trainer.Run(StopToken);
        }
        catch (OperationCanceledException) when (StopToken.IsCancellationRequested)
        {
            interruption.ReportStopped(observer.LastSaved is { } saved
                ? $"a resumable checkpoint of step {saved.Manifest.GlobalStep} was saved in {saved.Folder}. Run the same command with -Resume to continue."
                : "no checkpoint was saved.");
            throw;
        }
    }

    private static string Action(TrainingPlan plan)
    {
        var config = plan.Config;
        var training = $"{config.Network} for {config.NumEpoch} epochs ({config.TotalSteps} steps)";
        if (plan.Finished is { } done) return $"Return the finished run's final checkpoint {done.Folder} (nothing to train)";
        if (plan.ResumeFrom is { } from) return $"Resume training {training} from {from.Folder} (step {from.Manifest.GlobalStep})";
        return plan.ReplacesRun ? $"Delete the run in it and train {training}" : $"Train {training}";
    }

    // -Set values can arrive wrapped in PSObjects (from Start-Job, Import-Clixml or a script's arrays): unwrap them so
    // the engine sees plain numbers, strings and arrays.
    private Hashtable? PlainSet()
    {
        if (Set is null) return null;
        var plain = new Hashtable();
        foreach (DictionaryEntry entry in Set) plain[entry.Key] = Unwrap(entry.Value);
        return plain;
    }

    private static object? Unwrap(object? value) => value switch
    {
        PSObject wrapped => Unwrap(wrapped.BaseObject),
        string text => text,
        IEnumerable items => items.Cast<object?>().Select(Unwrap).ToArray(),
        _ => value,
    };

    private Dictionary<string, object?> Parameters()
    {
        var values = new Dictionary<string, object?>();
        if (Device is not null) values["device"] = Device;
        if (OutputPath is not null) values["output"] = ResolveOutputPath(OutputPath);
        if (Epochs > 0) values["num_epoch"] = (long)Epochs;
        if (BatchSize > 0) values["batch_size"] = (long)BatchSize;
        return values;
    }

    private string ResolvePathValue(string rec) => rec == TrainingSetup.Synthetic ? rec : ResolveInputPath(rec);

    // Turns engine events into progress, verbose, information and (with -PassThru) checkpoint records. The trainer
    // calls it synchronously on the pipeline thread, so the Write* calls are legal here.
    private sealed class Observer(StartFaceTrainingCommand cmdlet) : ITrainingObserver
    {
        private DateTime _lastProgress = DateTime.MinValue;

        public VerificationResult[] LatestVerification { get; private set; } = Array.Empty<VerificationResult>();

        /// <summary>The checkpoint written last: after a stop, the resumable one it saved.</summary>
        public CheckpointInfo? LastSaved { get; private set; }

        public void Message(string text) => Write(() => cmdlet.WriteVerbose(text));

        public void Step(TrainingStep step)
        {
            if (DateTime.UtcNow - _lastProgress < TimeSpan.FromMilliseconds(250) && step.GlobalStep != step.TotalSteps) return;
            _lastProgress = DateTime.UtcNow;
            var epochs = (int)Math.Ceiling((double)step.TotalSteps / step.StepsPerEpoch);
            var inEpoch = step.GlobalStep - step.Epoch * step.StepsPerEpoch;
            Write(() => cmdlet.WriteProgress(new ProgressRecord(EpochActivity, "Training", $"Epoch {step.Epoch + 1}/{epochs}")
            {
                PercentComplete = (int)(100 * step.GlobalStep / step.TotalSteps),
                SecondsRemaining = (int)step.Remaining.TotalSeconds,
            }));
            Write(() => cmdlet.WriteProgress(new ProgressRecord(StepActivity, "Steps",
                $"step {step.GlobalStep}/{step.TotalSteps} · loss {step.Loss:F4} · lr {step.LearningRate:G4} · {step.SamplesPerSecond:F1} img/s")
            {
                ParentActivityId = EpochActivity,
                PercentComplete = (int)Math.Clamp(100 * inEpoch / step.StepsPerEpoch, 0, 100),
            }));
        }

        public void Logged(TrainingMetrics metrics) =>
            Write(() => cmdlet.WriteInformation(new InformationRecord(metrics.Line, "Start-FaceTraining") { Tags = { "InsightFace.Metrics" } }));

        public void Verified(long globalStep, IReadOnlyList<Engine.Evaluation.VerificationResult> results)
        {
            LatestVerification = results.Select(r => VerificationResult.From(r, r.Model)).ToArray();
            foreach (var result in results)
            foreach (var line in result.LogLines(checked((int)globalStep)))
                Write(() => cmdlet.WriteVerbose(line));
        }

        public void CheckpointSaved(CheckpointInfo checkpoint)
        {
            LastSaved = checkpoint;
            if (!cmdlet.PassThru) return;
            var output = FaceCheckpoint.From(checkpoint);
            output.Verification = LatestVerification;
            Write(() => cmdlet.WriteObject(output));
        }

        // Once the pipeline stops (Ctrl+C, or a downstream Select-Object -First) every Write throws. The trainer must then
        // still reach its interrupt checkpoint: it is stopped through its token instead, and nothing here throws.
        private void Write(Action write)
        {
            try
            {
                write();
            }
            catch (PipelineStoppedException)
            {
                cmdlet.Stop();
            }
        }

        public void Complete()
        {
            cmdlet.WriteProgress(new ProgressRecord(StepActivity, "Steps", "done") { ParentActivityId = EpochActivity, RecordType = ProgressRecordType.Completed });
            cmdlet.WriteProgress(new ProgressRecord(EpochActivity, "Training", "done") { RecordType = ProgressRecordType.Completed });
        }
    }
}

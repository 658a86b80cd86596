using System.Collections;
using System.Management.Automation;
using InsightFace.Engine;
using InsightFace.Engine.Checkpoints;
using InsightFace.Engine.Configuration;
using InsightFace.Engine.Data;
using InsightFace.Engine.Distributed;
using InsightFace.Engine.Runtime;
using InsightFace.Engine.Training;

namespace InsightFace.PowerShell.Commands;

/// <summary>Trains a face-recognition backbone from an arcface_torch-style YAML config.</summary>
/// <remarks>
/// <para>Start-FaceTraining does what arcface_torch's train_v2.py does: it builds the backbone
/// (r18–r200, mbf, mbf_large), Partial FC with the combined margin loss (ArcFace, CosFace, combined), SGD with
/// momentum and weight decay (or AdamW) with a per-iteration polynomial schedule after a linear warm-up, gradient
/// clipping at norm 5 and gradient accumulation, and trains on the dataset the config's rec names, or the one piped
/// in (Get-FaceDataset). It runs synchronously and returns the final FaceCheckpoint, which pipes into
/// Test-FaceVerification and Export-FaceOnnx. On Linux the training runs in a child pwsh that reports back here, so
/// that glibc's allocator can keep the activations' memory between steps (see -InProcess); on Windows and macOS, in
/// this process.</para>
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
/// records tagged InsightFace.Metrics. With -InProcess, one training per process: libtorch's seeds and threads are
/// process-wide. One training per run folder: a second one stops with RunFolderLocked, naming the process that holds it.</para>
/// <para>-Processes N trains with N processes on this machine, started through the system's mpiexec (Debian's mpich or
/// openmpi-bin; INSIGHTFACE_MPIEXEC names another): each trains on batch_size images of every global batch, and holds
/// its shard of the classification head. The config, the dataset and the run folder are checked for N processes first,
/// so a bad config fails, and -WhatIf stops, before any process starts. The command then shows rank 0's progress,
/// messages and metrics and returns its checkpoint, as with one process. Ctrl+C or SIGTERM stops every process: each
/// saves its part of a resumable checkpoint first. A process that fails ends the others; the error keeps the failed
/// process's error id, and its message names the rank. Each process computes with -ThreadsPerProcess libtorch threads
/// (default: the cores divided by N).</para>
/// <para>Under a cluster launcher (mpiexec, mpirun or srun starting pwsh, on one machine or many) Start-FaceTraining
/// trains as the rank the launcher's variables name (Open MPI, MPICH, SLURM); leave -Processes out there. Only rank 0
/// writes to the pipeline and the run folder's logs; a rank that fails aborts the whole job. To stop such a job so that
/// it can be resumed, send SIGUSR1 to the launcher (kill -USR1): Open MPI's mpiexec kills the ranks a second after Ctrl+C
/// or SIGTERM, before they can save.</para>
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
/// <code>Start-FaceTraining -Config examples/configs/synthetic_mbf.yaml -OutputPath work_dirs/synthetic2 -Processes 2</code>
/// <para>Trains with two processes started through mpiexec, each with half of the cores, and shows their run as one.</para>
/// </example>
/// <example>
/// <code>mpiexec -n 4 pwsh -NoProfile -Command "Import-Module InsightFace; Start-FaceTraining -Config run.yaml -ThreadsPerProcess 1"</code>
/// <para>Trains as one of four ranks that an MPI launcher (or srun) started; rank 0 reports.</para>
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

    // How long the workers have to save a checkpoint and end after a stop before they are killed.
    private static readonly TimeSpan WorkerStopGrace = TimeSpan.FromMinutes(5);

    private FaceDataset? _dataset;
    private IFaceDataset? _opened;

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

    /// <summary>
    /// The number of training processes. Above 1, Start-FaceTraining starts them on this machine through the system's
    /// mpiexec (Open MPI or MPICH; INSIGHTFACE_MPIEXEC names another) and reports what rank 0 reports, as one process
    /// does: progress, verbose and information records, warnings and the final checkpoint. Each process trains on its
    /// share of every global batch (batch_size per process) and holds its shard of the classification head. Under a
    /// cluster launcher (mpiexec, srun) leave it out: the job's processes are the launcher's; if given there, it must
    /// equal their number.
    /// </summary>
    [Parameter]
    [ValidateRange(1, 1024)]
    public int Processes { get; set; } = 1;

    /// <summary>
    /// libtorch's threads in each training process. The default for -Processes N is the machine's cores divided by N
    /// (at least 1). For one process the default follows the cores other processes leave free, measured again every
    /// 10 seconds: alone it uses every core; beside another busy training it drops to what is left (at least 1), since
    /// more busy threads than cores slow both trainings several times over. OMP_NUM_THREADS, when set, wins.
    /// </summary>
    [Parameter]
    [ValidateRange(1, int.MaxValue)]
    public int ThreadsPerProcess { get; set; }

    /// <summary>Also write each checkpoint to the pipeline as it is saved, not only the final one.</summary>
    [Parameter]
    public SwitchParameter PassThru { get; set; }

    /// <summary>
    /// Train in this pwsh process. By default, on Linux, a single-process training runs in a child pwsh that reports
    /// back to this one (progress, records, errors and Ctrl+C behave the same), because glibc serves a pwsh pipeline
    /// thread's memory from a per-thread arena that maps every block over 64 MB afresh and gives the rest back to the
    /// kernel: at batch 64 that made training 1.15 to 1.22 times slower. The child is started with MALLOC_ARENA_MAX=1 (unless
    /// the variable is set already), so that its training allocates from glibc's main heap. On Windows and macOS the
    /// training always runs in this process.
    /// </summary>
    [Parameter]
    public SwitchParameter InProcess { get; set; }

    /// <inheritdoc />
    protected override void ProcessRecord() => _dataset ??= Dataset;

    /// <inheritdoc />
    protected override void EndProcessing()
    {
        try
        {
            StopOnErrors(Config ?? _dataset?.DatasetPath, () =>
            {
                var job = JobEnvironment.FromProcess();
                // A worker this module started (the ranks of -Processes N, or the child of one process) reports as events.
                if (job.WorldSize > 1 || TrainingWorker.WritesEvents) TrainAsRank(job);
                else if (Processes > 1 || (!InProcess && TrainingWorker.ChildProcessByDefault)) LaunchWorkers();
                else TrainHere();
            });
        }
        finally
        {
            _opened?.Dispose();
        }
    }

    private void TrainHere()
    {
        var observer = new Observer(this);
        var plan = Plan(SingleProcessCollectives.Instance, observer, WriteWarning);
        if (!ShouldProcess(plan.RunFolder, Action(plan))) return;
        if (ThreadsPerProcess > 0) TorchThreads.Set(ThreadsPerProcess);
        using var trainer = new Trainer(plan, observer);
        var outcome = RunStoppable(() => trainer.Run(StopToken), () => observer.LastSaved);
        WriteFinal(outcome.Final, observer);
    }

    // -Processes N, or the child process of one: checks the run here, so that a bad config or -WhatIf starts no
    // process, then starts the workers (through mpiexec for N) and replays what rank 0 reports.
    private void LaunchWorkers()
    {
        var observer = new Observer(this);
        var alone = Processes == 1;
        var plan = Plan(alone ? SingleProcessCollectives.Instance : new UnstartedJob(Processes), observer, WriteWarning);
        var launcher = plan.Finished is null && !alone ? MpiLauncher.Find() : null;
        if (!ShouldProcess(plan.RunFolder, launcher is null ? Action(plan) : $"{Action(plan)} in {Processes} processes started by {launcher.Path}")) return;
        if (plan.Finished is { } finished)
        {
            WriteFinal(finished, observer);
            return;
        }
        // Each worker opens the dataset itself.
        _opened?.Dispose();
        _opened = null;
        // One child chooses its threads from the free cores, as a training in this process would.
        int? threads = ThreadsPerProcess > 0 ? ThreadsPerProcess
            : alone ? null : MpiLauncher.DefaultThreads(Processes, Environment.ProcessorCount);
        var module = MyInvocation.MyCommand.Module is { } loaded && File.Exists(Path.Combine(loaded.ModuleBase, loaded.Name + ".psd1"))
            ? Path.Combine(loaded.ModuleBase, loaded.Name + ".psd1")
            : typeof(StartFaceTrainingCommand).Assembly.Location;
        var worker = TrainingWorker.Command((string)SessionState.PSVariable.GetValue("PSHOME"), module,
            SessionState.Path.CurrentFileSystemLocation.ProviderPath, WorkerParameters(threads));
        var command = TrainingWorker.ReportingEvents(alone ? TrainingWorker.Alone(worker) : launcher!.Command(Processes, threads!.Value, worker));
        if (alone) observer.Message("Training in a child pwsh (see -InProcess).");
        var final = RunStoppable(() => WorkerJob.Run(command, observer, Processes, StopToken, WorkerStopGrace), () => observer.LastSaved);
        WriteFinal(final, observer);
    }

    // One rank of a job that mpiexec or srun started (this module's launcher, or the user's). Only rank 0 reports and
    // writes to the pipeline. A rank that fails says so and aborts the job, so that no other rank waits for it forever.
    private void TrainAsRank(JobEnvironment job)
    {
        if (MyInvocation.BoundParameters.ContainsKey(nameof(Processes)) && Processes != job.WorldSize)
            throw new TrainingException(ErrorIds.ProcessesMismatch,
                $"-Processes {Processes} differs from the {job.WorldSize} processes of the job this runs in ({job.Launcher}): " +
                "under mpiexec or srun, leave -Processes out or give their number.");
        // Rank 0 reports to this host, or as worker events for the launcher (which has shown the plan's messages and
        // warnings already); the other ranks report nothing. For the launcher every rank says where it runs and why it
        // failed: rank 0 on its output, the others on their error output, so that lines of different ranks never mix.
        var rank0 = job.Rank == 0;
        var own = TrainingWorker.WritesEvents ? new WorkerEventWriter(rank0 ? Console.Out : Console.Error, job.Rank) : null;
        own?.Started();
        var events = rank0 ? own : null;
        var observer = own is null && rank0 ? new Observer(this) : null;
        var silent = new WorkerEventWriter(TextWriter.Null, job.Rank);
        ICollectives? collectives = null;
        try
        {
            collectives = Collectives.ForThisProcess();
            var plan = observer is not null ? Plan(collectives, observer, WriteWarning) : Plan(collectives, silent, _ => { });
            if (!ShouldProcess(plan.RunFolder, $"{Action(plan)} as rank {job.Rank} of {job.WorldSize}")) return;
            if (ThreadsPerProcess > 0) TorchThreads.Set(ThreadsPerProcess);
            using var stopSignal = WorkerStopSignal.Register(Stop);
            using var trainer = new Trainer(plan, (ITrainingObserver?)observer ?? events ?? silent);
            var outcome = RunStoppable(() => trainer.Run(StopToken), () => observer?.LastSaved ?? events?.LastSaved,
                observer is not null ? null : saved => events?.Failed(ErrorIds.OperationStopped, $"It was stopped: {saved}"));
            if (observer is not null) WriteFinal(outcome.Final, observer);
            else events?.Finished(outcome.Final);
        }
        catch (Exception e) when (e is not OperationCanceledException || !StopToken.IsCancellationRequested)
        {
            var (id, message) = EngineErrors.IsReported(e) ? (EngineErrors.IdOf(e), e.Message) : (ErrorIds.WorkerFailed, $"{e.GetType().FullName}: {e.Message}");
            if (own is not null) own.Failed(id, message);
            else Host.UI.WriteErrorLine($"{MyInvocation.MyCommand.Name} failed on rank {job.Rank} of {job.WorldSize} ({id}): {message}");
            // RankFailed: the ranks agreed to stop, and none waits for this one.
            if (id != ErrorIds.RankFailed) collectives?.Abort(1);
            throw;
        }
        finally
        {
            (collectives as IDisposable)?.Dispose();
        }
    }

    // Resolves the config for the job's world size, opens the dataset and checks the whole run, touching no file.
    private TrainingPlan Plan(ICollectives collectives, ITrainingObserver reporter, Action<string> warn)
    {
        var configPath = Config is null ? null : ResolveInputPath(Config);
        if (_dataset is not null)
            _opened = _dataset.Open(_dataset.IsSynthetic ? _dataset.DatasetPath : ResolveInputPath(_dataset.DatasetPath));
        var resolved = ConfigResolver.Resolve(configPath, _opened is null ? null : TrainingSetup.Facts(_opened), PlainSet(), Parameters(), collectives.WorldSize);
        var config = resolved.Config;
        foreach (var line in resolved.LogLines()) reporter.Message(line);
        _opened ??= TrainingSetup.OpenDataset(ResolvePathValue(config.Rec), config.NumClasses, config.NumImage, config.Seed);

        var (validation, missing) = TrainingSetup.FindValidationSets(config.ValTargets, _opened, Array.Empty<string>());
        foreach (var target in missing) warn($"Verification target '{target}' was not found beside the dataset; it is skipped.");
        // Every check a run makes, without touching a file: -WhatIf stops after it, and -Force deletes nothing before it.
        var plan = TrainingPlan.Create(new TrainingRequest(resolved, _opened, ResolveOutputPath(config.Output))
        {
            ValidationSets = validation, Resume = Resume, Overwrite = Force, Collectives = collectives,
            ThreadsFromFreeCores = ThreadsPerProcess == 0,
        });
        foreach (var warning in plan.Warnings) warn(warning);
        return plan;
    }

    // Ctrl+C and SIGTERM stop the run through the token; it saves a resumable checkpoint, and the user is told where
    // (by the host, or by <paramref name="report"/>).
    private T RunStoppable<T>(Func<T> run, Func<CheckpointInfo?> lastSaved, Action<string>? report = null)
    {
        using var interruption = new RunInterruption(this, Stop);
        try
        {
            return run();
        }
        catch (OperationCanceledException) when (StopToken.IsCancellationRequested)
        {
            var saved = lastSaved() is { } last
                ? $"a resumable checkpoint of step {last.Manifest.GlobalStep} was saved in {last.Folder}. Run the same command with -Resume to continue."
                : "no checkpoint was saved.";
            if (report is null) interruption.ReportStopped(saved);
            else report(saved);
            throw;
        }
    }

    private void WriteFinal(CheckpointInfo final, Observer observer)
    {
        observer.Complete();
        var checkpoint = FaceCheckpoint.From(final);
        checkpoint.Verification = observer.LatestVerification;
        // With -PassThru every checkpoint went out as it was written; a finished run wrote none.
        if (!PassThru || observer.SavedCount == 0) WriteObject(checkpoint);
    }

    // This call's parameters for the workers: the same, less -Processes, -PassThru, -InProcess and the common
    // parameters (the launcher reports), with paths made absolute and the dataset as its properties.
    private Hashtable WorkerParameters(int? threads)
    {
        var parameters = new Hashtable(StringComparer.OrdinalIgnoreCase);
        foreach (var (name, value) in MyInvocation.BoundParameters)
        {
            if (CommonParameters.Contains(name) || OptionalCommonParameters.Contains(name) || name is nameof(Processes) or nameof(PassThru) or nameof(InProcess)) continue;
            parameters[name] = value is SwitchParameter switchParameter ? switchParameter.IsPresent : value;
        }
        if (Config is not null) parameters[nameof(Config)] = ResolveInputPath(Config);
        if (OutputPath is not null) parameters[nameof(OutputPath)] = ResolveOutputPath(OutputPath);
        if (Set is not null) parameters[nameof(Set)] = PlainSet();
        if (_dataset is not null)
        {
            var dataset = typeof(FaceDataset).GetProperties().Where(p => p.CanWrite).ToDictionary(p => p.Name, p => p.GetValue(_dataset));
            if (!_dataset.IsSynthetic) dataset[nameof(FaceDataset.DatasetPath)] = ResolveInputPath(_dataset.DatasetPath);
            parameters[nameof(Dataset)] = new Hashtable(dataset);
        }
        if (threads is { } count) parameters[nameof(ThreadsPerProcess)] = count;
        return parameters;
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

    // Turns engine events, the trainer's or those the workers' rank 0 reports, into progress, verbose, information,
    // warning and (with -PassThru) checkpoint records. The trainer and WorkerJob call it synchronously on the pipeline
    // thread, so the Write* calls are legal here.
    private sealed class Observer(StartFaceTrainingCommand cmdlet) : IWorkerObserver
    {
        private DateTime _lastProgress = DateTime.MinValue;

        public VerificationResult[] LatestVerification { get; private set; } = Array.Empty<VerificationResult>();

        /// <summary>The checkpoint written last: after a stop, the resumable one it saved.</summary>
        public CheckpointInfo? LastSaved { get; private set; }

        /// <summary>The checkpoints written so far.</summary>
        public int SavedCount { get; private set; }

        public void Message(string text) => Write(() => cmdlet.WriteVerbose(text));

        public void Warning(string text) => Write(() => cmdlet.WriteWarning(text));

        // What the workers and mpiexec print besides events: their own errors and notes, for -Verbose and error messages.
        public void Output(string line) => Write(() => cmdlet.WriteVerbose(line));

        public void Step(TrainingStep step)
        {
            if (DateTime.UtcNow - _lastProgress < TimeSpan.FromMilliseconds(250) && step.GlobalStep != step.TotalSteps) return;
            _lastProgress = DateTime.UtcNow;
            var epochs = (int)Math.Ceiling((double)step.TotalSteps / step.StepsPerEpoch);
            var inEpoch = step.GlobalStep - step.Epoch * step.StepsPerEpoch;
            Write(() => cmdlet.WriteProgress(new ProgressRecord(EpochActivity, "Training",
                $"Epoch {step.Epoch + 1}/{epochs} · {TimeLeft.Format(step.Remaining)}")
            {
                PercentComplete = (int)(100 * step.GlobalStep / step.TotalSteps),
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
            SavedCount++;
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

using InsightFace.Engine.Backbones;
using InsightFace.Engine.Checkpoints;
using InsightFace.Engine.Configuration;
using InsightFace.Engine.Data.Loading;
using InsightFace.Engine.Files;
using InsightFace.Engine.Distributed;
using InsightFace.Engine.Heads;
using InsightFace.Engine.Optim;
using InsightFace.Engine.Runtime;
using InsightFace.Engine.Training.Callbacks;
using TorchSharp;

namespace InsightFace.Engine.Training;

/// <summary>
/// The parts of a planned run and its loop: the model, the <see cref="OptimizationStep"/>, the loader, the
/// callbacks and the checkpoint writer. <see cref="Trainer"/> owns it while it holds the run folder's lock.
/// </summary>
internal sealed class TrainingRun : IDisposable
{
    private const string ConfigFileName = "config.resolved.yaml";

    private readonly TrainingPlan _plan;
    private readonly TrainingConfig _config;
    private readonly ITrainingObserver _observer;
    private readonly Backbone _backbone;
    private readonly PartialFC _head;
    private readonly OptimizationStep _step;
    private readonly PolynomialLRWarmup _schedule;
    private readonly TrainingLoader _loader;
    private readonly ICollectives _collectives;
    private readonly StopAgreement _stop;
    private readonly RunLogs? _logs;
    private readonly CheckpointWriter _checkpoints;
    private readonly VerificationCallback? _verification;
    private readonly List<CheckpointInfo> _saved = new();
    private readonly AverageMeter _epochLoss = new();
    private readonly ThreadBudget? _threads;
    private readonly string _memoryFormat;
    private readonly string? _memoryFormatNote;

    private int _epoch;
    private long _batch;
    private long _globalStep;
    private long _skippedBatches;

    /// <summary>
    /// Builds the model and loads the resume state, and only then (the run folder's lock held) replaces an old run,
    /// starts the loader and opens the logs. If anything fails, what was built is disposed again.
    /// </summary>
    /// <remarks>
    /// In a job of several processes every rank builds a run; rank 0 then sends its backbone's parameters and buffers
    /// to the others, as DistributedDataParallel does, and only rank 0 prepares the run folder, writes the logs,
    /// verifies and reports to the observer.
    /// </remarks>
    public TrainingRun(TrainingPlan plan, ITrainingObserver observer)
    {
        _plan = plan;
        _config = plan.Config;
        _observer = observer;
        try
        {
            // On GPUs the job's collectives (MPI) only set up NCCL, which then carries the training's traffic.
            _collectives = Collectives.ForDevice(plan.Request.Collectives, plan.Device);
            _stop = new StopAgreement(_collectives);
            if (plan.Request.ThreadsFromFreeCores && _collectives.WorldSize == 1 && !ThreadBudget.UserChoseThreads)
                _threads = ThreadBudget.ForThisProcess();
            var backboneOptions = new BackboneOptions
            {
                EmbeddingSize = _config.EmbeddingSize, Dropout = _config.Dropout, Fp16 = _config.Fp16, Device = plan.Device,
            };
            (_memoryFormat, _memoryFormatNote) = ChooseMemoryFormat(backboneOptions);
            if (_memoryFormatNote is not null && _collectives.Rank == 0) observer.Message(_memoryFormatNote);
            torch.manual_seed(_config.Seed);
            _backbone = BackboneRegistry.Create(_config.Network, backboneOptions);
            var m = _config.MarginList;
            var margin = new CombinedMarginLoss(_config.Scale, m[0], m[1], m[2], _config.StraightThroughGradient, _config.InterclassFilteringThreshold);
            _head = new PartialFC(margin, _config.EmbeddingSize, _config.NumClasses, _config.SampleRate, _collectives, plan.Device);
            _step = new OptimizationStep(_backbone, _head, _config, _collectives);
            _schedule = new PolynomialLRWarmup(_config.EffectiveLr, _config.WarmupSteps, _config.TotalSteps, _config.LrPower);
            _checkpoints = new CheckpointWriter(plan, _collectives, _backbone, _head, _step);
            if (plan.ResumeFrom is { } checkpoint && plan.ResumeState is { } state) Resume(checkpoint, state);
            BroadcastBackbone();
            // After the broadcast: MPI sends contiguous tensors only.
            _step.ApplyMemoryFormat(_memoryFormat);
            _loader = new TrainingLoader(plan.Request.Dataset, TrainingPlan.LoaderOptions(plan.Request));
            if (_collectives.Rank != 0) return;
            PrepareRunFolder(plan.RunFolder, plan.ReplacesRun);
            _logs = new RunLogs(plan.RunFolder);
            _verification = new VerificationCallback(_logs, observer, _config, plan.ValidationTargets, _backbone, plan.Device, _checkpoints)
            {
                BestAccuracy = plan.ResumeState?.BestAccuracy ?? double.NaN,
            };
            AtomicFile.Write(Path.Combine(plan.RunFolder, ConfigFileName), overwrite: true,
                stream => stream.Write(System.Text.Encoding.UTF8.GetBytes(plan.Request.Config.Yaml)));
            foreach (var line in plan.Request.Config.LogLines()) _logs.Log.Write(line);
            if (_memoryFormatNote is not null) _logs.Log.Write(_memoryFormatNote);
            _observer.Message($"Run folder {plan.RunFolder}; {_config.Network} ({_backbone.ParameterCount:N0} parameters) on {plan.Device}; " +
                              $"{_config.TotalSteps} steps ({_config.StepsPerEpoch} per epoch), warm-up {_config.WarmupSteps}.");
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    // libtorch's channels_last kernels give wrong values on some CPUs (ChannelsLastCheck), so a CPU run checks them on
    // its own backbone and batch size before it trains in them, and trains in NCHW when they disagree, with a note
    // saying why. Every rank checks its own CPU: the layout never leaves the process.
    private (string Format, string? Note) ChooseMemoryFormat(BackboneOptions options)
    {
        if (_config.MemoryFormat != MemoryFormat.ChannelsLast || _plan.Device.type != DeviceType.CPU) return (_config.MemoryFormat, null);
        var difference = ChannelsLastCheck.Compare(_config.Network, options, _config.BatchSize);
        if (difference.IsRounding) return (MemoryFormat.ChannelsLast, null);
        static string Percent(double value) => (100 * value).ToString("F1", System.Globalization.CultureInfo.InvariantCulture) + "%";
        return (MemoryFormat.Contiguous,
            $"memory_format: channels_last gives wrong values on this CPU ({_config.Network} at batch {_config.BatchSize}: " +
            $"embeddings {Percent(difference.Embeddings)} and gradients {Percent(difference.Gradients)} off NCHW, where " +
            $"float32 rounding moves them by under {Percent(ChannelsLastCheck.EmbeddingTolerance)} and " +
            $"{Percent(ChannelsLastCheck.GradientTolerance)}): training in contiguous.");
    }

    /// <summary>Trains to the end, or until <paramref name="cancellationToken"/> fires (then saves a resumable checkpoint and throws).</summary>
    public TrainingOutcome Run(CancellationToken cancellationToken)
    {
        var clock = new RunClock(_globalStep, _config.TotalSteps);
        ITrainingCallback[] callbacks = _logs is null || _verification is null
            ? []
            :
            [
                new ProgressCallback(_observer, _config, clock),
                new LoggingCallback(_logs, _observer, _config, clock, _globalStep),
                _verification,
            ];
        // With several processes only the agreement below stops the loop: a rank that left on its own would leave
        // the others waiting in a collective.
        var loaderToken = _collectives.WorldSize == 1 ? cancellationToken : CancellationToken.None;
        _backbone.train();
        _head.train();
        NativeHeap.TuneForTraining();
        _step.ReserveState();
        var threadsAtStart = TorchThreads.Count;
        try
        {
            for (; _epoch < _config.NumEpoch; _epoch++, _batch = 0)
            {
                foreach (var batch in _loader.Epoch(_epoch, _batch, loaderToken))
                {
                    IterationReport report;
                    using (batch) report = Train(batch);
                    AdaptThreads();
                    var failure = RunCallbacks(callbacks, report);
                    switch (_stop.Agree(cancellationToken.IsCancellationRequested, failure is not null))
                    {
                        case StopVerdict.Failure:
                            SaveAfterFailure(failure);
                            break;
                        case StopVerdict.Interrupt:
                            throw new OperationCanceledException(cancellationToken);
                    }
                }
                Save("epoch", _epoch + 1, 0);
                _epochLoss.Reset();
            }
        }
        catch (OperationCanceledException)
        {
            Save("interrupt", _epoch, _batch);
            throw;
        }
        finally
        {
            // The tuned heap keeps every freed activation; the session that trained need not.
            NativeHeap.Release();
            if (_threads is not null) TorchThreads.Set(threadsAtStart);
        }
        return new TrainingOutcome(_saved[^1], _saved);
    }

    // Another process may have started or ended since the last measurement; the observer hears of every change.
    private void AdaptThreads()
    {
        if (_threads is null) return;
        var before = _threads.Threads;
        _threads.Update(DateTime.UtcNow);
        if (_threads.Threads != before && _collectives.Rank == 0)
            _observer.Message($"libtorch threads: {_threads.Threads} of {Environment.ProcessorCount} cores, as other processes leave them free (measured every {ThreadBudget.Interval.TotalSeconds:F0} s; OMP_NUM_THREADS or -ThreadsPerProcess fixes the number).");
    }

    private static Exception? RunCallbacks(IEnumerable<ITrainingCallback> callbacks, IterationReport report)
    {
        try
        {
            foreach (var callback in callbacks) callback.AfterIteration(report);
            return null;
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            return e;
        }
    }

    // A callback that fails (a log that cannot be written, a verification set that breaks) must not cost what was
    // trained: the checkpoint due now is written first (the epoch's after its last batch, else a resumable
    // step-… one), then the failure is reported. The other ranks save with it and stop with RankFailed.
    private void SaveAfterFailure(Exception? failure)
    {
        _observer.Message($"Training stops at step {_globalStep}: {failure?.Message ?? "another rank failed"}");
        if (_batch == _loader.BatchesPerEpoch) Save("epoch", _epoch + 1, 0);
        else Save("interrupt", _epoch, _batch);
        if (failure is not null) System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(failure);
        throw new TrainingException(ErrorIds.RankFailed,
            $"Rank {_collectives.Rank} stops at step {_globalStep} because rank 0's logging or verification failed; rank 0 reports the error.");
    }

    // Every rank starts from rank 0's backbone, buffers (BatchNorm's running statistics) included; from then on each
    // rank's BatchNorm keeps its own statistics, as arcface_torch's broadcast_buffers=False.
    private void BroadcastBackbone()
    {
        if (_collectives.WorldSize == 1) return;
        using var noGrad = torch.no_grad();
        foreach (var parameter in _backbone.parameters()) _collectives.Broadcast(parameter, 0);
        foreach (var buffer in _backbone.buffers()) _collectives.Broadcast(buffer, 0);
    }

    private IterationReport Train(TrainingBatch batch)
    {
        var lr = _schedule.LearningRate(_globalStep);
        StepResult result;
        using (torch.NewDisposeScope())
        {
            var images = MemoryFormat.To(torch.tensor(batch.Images, new long[] { batch.Count, 3, 112, 112 }).to(_plan.Device), _memoryFormat);
            var labels = torch.tensor(batch.Labels).to(_plan.Device);
            result = _step.Run(images, labels, _globalStep, lr);
        }
        if (!result.Finite)
        {
            if (!_config.SkipNonFiniteLoss)
                throw new TrainingException(ErrorIds.LossNotFinite,
                    $"The loss became {result.Loss} at global step {_globalStep + 1} (epoch {_epoch}, batch {batch.Index}); the last good checkpoint is kept. Lower lr, or set nan_policy: skip.");
            _skippedBatches++;
            _observer.Message($"Skipped batch {batch.Index} of epoch {_epoch}: loss {result.Loss}.");
        }
        else
        {
            _epochLoss.Add(result.Loss);
        }
        _globalStep++;
        _batch = batch.Index + 1;
        return new IterationReport(_epoch, _globalStep, result.Loss, lr, Skipped: !result.Finite, _epochLoss.Average);
    }

    private void Save(string reason, int epoch, long batch)
    {
        var position = new TrainingState
        {
            Epoch = epoch, Batch = batch, GlobalStep = _globalStep, BestAccuracy = _verification?.BestAccuracy ?? double.NaN,
            SkippedBatches = _skippedBatches,
        };
        var saved = _checkpoints.Save(reason, position, _epochLoss.Average);
        _saved.Add(saved);
        _observer.CheckpointSaved(saved);
        _observer.Message($"Checkpoint written: {saved.Folder} ({reason}, epoch {epoch}, step {_globalStep}).");
    }

    private void Resume(CheckpointInfo checkpoint, TrainingState state)
    {
        if (state.ConfigHash != _plan.Request.Config.Hash)
            _observer.Message($"The config differs from the one {checkpoint.Folder} was trained with; resuming with the new values.");
        ResumeLoader.Load(_plan, _backbone, _head, _step);
        _epoch = state.Epoch;
        _batch = state.Batch;
        _globalStep = state.GlobalStep;
        _skippedBatches = state.SkippedBatches;
        _observer.Message($"Resuming from {checkpoint.Folder}: epoch {_epoch}, batch {_batch}, global step {_globalStep}.");
    }

    // Replacing a run (-Force) deletes everything in its folder but the lock this run holds.
    private static void PrepareRunFolder(string run, bool replace)
    {
        if (!replace) return;
        foreach (var entry in new DirectoryInfo(run).EnumerateFileSystemInfos().Where(e => !RunFolderLock.IsLockFile(e.Name)))
        {
            if (entry is DirectoryInfo folder) folder.Delete(recursive: true);
            else entry.Delete();
        }
    }

    /// <summary>Stops the loader and frees the logs and the native modules; safe on a part-built run.</summary>
    public void Dispose()
    {
        // Null-conditional: a constructor that failed half-way disposes what it had built.
        _logs?.Dispose();
        _loader?.Dispose();
        _step?.Dispose();
        _head?.Dispose();
        _backbone?.Dispose();
        if (!ReferenceEquals(_collectives, _plan.Request.Collectives)) (_collectives as IDisposable)?.Dispose();
    }
}

using InsightFace.Engine.Backbones;
using InsightFace.Engine.Checkpoints;
using InsightFace.Engine.Configuration;
using InsightFace.Engine.Data.Loading;
using InsightFace.Engine.Heads;
using InsightFace.Engine.Optim;
using InsightFace.Engine.Runtime;
using InsightFace.Engine.Training.Callbacks;
using TorchSharp;

namespace InsightFace.Engine.Training;

/// <summary>
/// arcface_torch's train_v2.py: backbone, Partial FC with the combined margin, SGD (or AdamW) with per-iteration
/// polynomial decay, gradient clipping at norm 5 and accumulation, logging, verification every <c>verbose</c>
/// steps, and a checkpoint every epoch and on cancellation that resumes exactly.
/// </summary>
/// <remarks>
/// <para>
/// The loop is built from parts: a <see cref="TrainingPlan"/> checks everything before any file is touched, an
/// <see cref="OptimizationStep"/> trains on each batch, callbacks log, report progress and verify, and a
/// checkpoint writer saves. The collectives come with the request.
/// </para>
/// <para>
/// Everything random after the start is a function of the seed and the position: the loader's order and flips
/// depend on (seed, epoch, index), and libtorch's generator is reseeded from (seed, global step) before every
/// iteration, so dropout and Partial FC's negative sampling repeat too. That is what lets a resumed run reproduce the
/// uninterrupted one bit for bit. Runs on the calling thread; the observer is called on it.
/// </para>
/// </remarks>
public sealed class Trainer : IDisposable
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
    private readonly RunLogs _logs;
    private readonly CheckpointWriter _checkpoints;
    private readonly VerificationCallback _verification;
    private readonly List<CheckpointInfo> _saved = new();
    private readonly AverageMeter _epochLoss = new();

    private int _epoch;
    private long _batch;
    private long _globalStep;
    private long _skippedBatches;

    /// <summary>Plans the run (see <see cref="TrainingPlan.Create"/>), then sets it up as the other constructor does.</summary>
    public Trainer(TrainingRequest request, ITrainingObserver observer) : this(TrainingPlan.Create(request), observer)
    {
    }

    /// <summary>Sets up a planned run: builds the model, loads the resume state and prepares the run folder.</summary>
    public Trainer(TrainingPlan plan, ITrainingObserver observer)
    {
        _plan = plan;
        _config = plan.Config;
        _observer = observer;
        var request = plan.Request;
        var run = plan.RunFolder;

        torch.manual_seed(_config.Seed);
        _backbone = BackboneRegistry.Create(_config.Network, new BackboneOptions
        {
            EmbeddingSize = _config.EmbeddingSize, Dropout = _config.Dropout, Fp16 = _config.Fp16, Device = plan.Device,
        });
        var m = _config.MarginList;
        var margin = new CombinedMarginLoss(_config.Scale, m[0], m[1], m[2], _config.StraightThroughGradient, _config.InterclassFilteringThreshold);
        _head = new PartialFC(margin, _config.EmbeddingSize, _config.NumClasses, _config.SampleRate, request.Collectives, plan.Device);
        _step = new OptimizationStep(_backbone, _head, _config, request.Collectives);
        _schedule = new PolynomialLRWarmup(_config.EffectiveLr, _config.WarmupSteps, _config.TotalSteps, _config.LrPower);
        _checkpoints = new CheckpointWriter(plan, _backbone, _head, _step);
        if (plan.ResumeFrom is { } checkpoint && plan.ResumeState is { } state) Resume(checkpoint, state);

        PrepareRunFolder(run, plan.ReplacesRun);
        _loader = new TrainingLoader(request.Dataset, TrainingPlan.LoaderOptions(request));
        _logs = new RunLogs(run);
        _verification = new VerificationCallback(_logs, observer, _config, plan.ValidationTargets, _backbone, plan.Device, _checkpoints)
        {
            BestAccuracy = plan.ResumeState?.BestAccuracy ?? double.NaN,
        };
        File.WriteAllText(Path.Combine(run, ConfigFileName), request.Config.Yaml);
        foreach (var line in request.Config.LogLines()) _logs.Log.Write(line);
        _observer.Message($"Run folder {run}; {_config.Network} ({_backbone.ParameterCount:N0} parameters) on {plan.Device}; " +
                          $"{_config.TotalSteps} steps ({_config.StepsPerEpoch} per epoch), warm-up {_config.WarmupSteps}.");
    }

    /// <summary>Trains to the end, or until <paramref name="cancellationToken"/> fires (then saves a resumable checkpoint and throws).</summary>
    public TrainingOutcome Run(CancellationToken cancellationToken)
    {
        var clock = new RunClock(_globalStep, _config.TotalSteps);
        ITrainingCallback[] callbacks =
        [
            new ProgressCallback(_observer, _config, clock),
            new LoggingCallback(_logs, _observer, _config, clock, _globalStep),
            _verification,
        ];
        _backbone.train();
        _head.train();
        NativeHeap.TuneForTraining();
        try
        {
            for (; _epoch < _config.NumEpoch; _epoch++, _batch = 0)
            {
                foreach (var batch in _loader.Epoch(_epoch, _batch, cancellationToken))
                {
                    IterationReport report;
                    using (batch) report = Train(batch);
                    foreach (var callback in callbacks) callback.AfterIteration(report);
                    cancellationToken.ThrowIfCancellationRequested();
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
            // The tuned heap keeps up to 256 MB of freed activations; the session that trained need not.
            NativeHeap.Release();
        }
        return new TrainingOutcome(_saved[^1], _saved);
    }

    private IterationReport Train(TrainingBatch batch)
    {
        var lr = _schedule.LearningRate(_globalStep);
        StepResult result;
        using (torch.NewDisposeScope())
        {
            var images = torch.tensor(batch.Images, new long[] { batch.Count, 3, 112, 112 }).to(_plan.Device);
            var labels = torch.tensor(batch.Labels).to(_plan.Device);
            result = _step.Run(images, labels, _globalStep, lr);
        }
        if (!result.Finite)
        {
            if (!_config.SkipNonFiniteLoss)
                throw new TrainingException("LossNotFinite",
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
            Epoch = epoch, Batch = batch, GlobalStep = _globalStep, BestAccuracy = _verification.BestAccuracy, SkippedBatches = _skippedBatches,
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

    private static void PrepareRunFolder(string run, bool replace)
    {
        if (replace) Directory.Delete(run, recursive: true);
        Directory.CreateDirectory(run);
    }

    /// <inheritdoc />
    public void Dispose()
    {
        _logs.Dispose();
        _loader.Dispose();
        _step.Dispose();
        _head.Dispose();
        _backbone.Dispose();
    }
}

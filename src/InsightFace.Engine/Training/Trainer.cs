using System.Diagnostics;
using InsightFace.Engine.Backbones;
using InsightFace.Engine.Checkpoints;
using InsightFace.Engine.Configuration;
using InsightFace.Engine.Data.Loading;
using InsightFace.Engine.Data.Verification;
using InsightFace.Engine.Evaluation;
using InsightFace.Engine.Heads;
using InsightFace.Engine.Import;
using InsightFace.Engine.Import.PyTorch;
using InsightFace.Engine.Optim;
using InsightFace.Engine.Runtime;
using InsightFace.Engine.Training.Logging;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace InsightFace.Engine.Training;

/// <summary>
/// arcface_torch's train_v2.py on one process: backbone, Partial FC with the combined margin, SGD (or AdamW) with
/// per-iteration polynomial decay, gradient clipping at norm 5 and accumulation, logging, verification every
/// <c>verbose</c> steps, and a checkpoint every epoch and on cancellation that resumes exactly.
/// </summary>
/// <remarks>
/// Everything random after the start is a function of the seed and the position: the loader's order and flips
/// depend on (seed, epoch, index), and libtorch's generator is reseeded from (seed, global step) before every
/// iteration, so dropout and Partial FC's negative sampling repeat too. That is what lets a resumed run reproduce the
/// uninterrupted one bit for bit. Runs on the calling thread; the observer is called on it.
/// </remarks>
public sealed class Trainer : IDisposable
{
    private const string ConfigFileName = "config.resolved.yaml";
    private const string HeadFileName = "head.pt";
    private const string OptimizerFileName = "optimizer.dat";

    private readonly TrainingRequest _request;
    private readonly TrainingConfig _config;
    private readonly ITrainingObserver _observer;
    private readonly Device _device;
    private readonly Backbone _backbone;
    private readonly PartialFC _head;
    private readonly OptimizationStep _step;
    private readonly PolynomialLRWarmup _schedule;
    private readonly TrainingLoader _loader;
    private readonly TrainingLogFile _log;
    private readonly MetricsFile _metrics;
    private readonly TensorBoardLog _tensorBoard;
    private readonly List<(string Target, VerificationSet Set)> _validation;
    private readonly List<CheckpointInfo> _saved = new();
    private readonly AverageMeter _lossSinceLog = new();
    private readonly AverageMeter _lossThisEpoch = new();

    private int _epoch;
    private long _batch;
    private long _globalStep;
    private double _bestAccuracy = double.NaN;
    private long _skippedBatches;

    /// <summary>Sets up the run: checks the dataset and run folder, builds the model, and loads the resume state.</summary>
    public Trainer(TrainingRequest request, ITrainingObserver observer)
    {
        _request = request;
        _config = request.Config.Config;
        _observer = observer;
        var run = request.RunFolder;
        if (request.Dataset.NumClasses > _config.NumClasses)
            throw new TrainingException("DatasetIncompatible",
                $"num_classes ({_config.NumClasses}) is smaller than the dataset's {request.Dataset.NumClasses} identities: labels would fall outside the classifier.");
        PrepareRunFolder(run, request.Resume || _config.Resume, request.Overwrite);

        _device = DeviceSelector.Resolve(_config.Device);
        _loader = new TrainingLoader(request.Dataset, new TrainingLoaderOptions(_config.BatchSize, _config.NumWorkers, _config.Seed));
        if (_loader.BatchesPerEpoch != _config.StepsPerEpoch)
            throw new TrainingException("DatasetIncompatible",
                $"num_image ({_config.NumImage}) gives {_config.StepsPerEpoch} steps per epoch, but the dataset has {request.Dataset.Count} images ({_loader.BatchesPerEpoch} batches of {_config.BatchSize}).");

        torch.manual_seed(_config.Seed);
        _backbone = BackboneRegistry.Create(_config.Network, new BackboneOptions
        {
            EmbeddingSize = _config.EmbeddingSize, Dropout = _config.Dropout, Fp16 = _config.Fp16, Device = _device,
        });
        var m = _config.MarginList;
        var margin = new CombinedMarginLoss(_config.Scale, m[0], m[1], m[2], _config.StraightThroughGradient, _config.InterclassFilteringThreshold);
        _head = new PartialFC(margin, _config.EmbeddingSize, _config.NumClasses, _config.SampleRate, SingleProcessCollectives.Instance, _device);
        _step = new OptimizationStep(_backbone, _head, _config, SingleProcessCollectives.Instance);
        _schedule = new PolynomialLRWarmup(_config.EffectiveLr, _config.WarmupSteps, _config.TotalSteps, _config.LrPower);
        _validation = request.ValidationSets.Select(p => (Path.GetFileNameWithoutExtension(p), VerificationBinReader.Read(p))).ToList();

        if (request.Resume || _config.Resume) LoadResumeState(run);

        _log = new TrainingLogFile(Path.Combine(run, "training.log"));
        _metrics = new MetricsFile(Path.Combine(run, "metrics.jsonl"));
        _tensorBoard = new TensorBoardLog(run);
        File.WriteAllText(Path.Combine(run, ConfigFileName), request.Config.Yaml);
        foreach (var line in request.Config.LogLines()) _log.Write(line);
        _observer.Message($"Run folder {run}; {_config.Network} ({_backbone.ParameterCount:N0} parameters) on {_device}; " +
                          $"{_config.TotalSteps} steps ({_config.StepsPerEpoch} per epoch), warm-up {_config.WarmupSteps}.");
    }

    /// <summary>Trains to the end, or until <paramref name="cancellationToken"/> fires (then saves a resumable checkpoint and throws).</summary>
    public TrainingOutcome Run(CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        var stepsAtStart = _globalStep;
        var lastLog = (Time: clock.Elapsed, Step: _globalStep);
        _backbone.train();
        _head.train();
        NativeHeap.TuneForTraining();
        try
        {
            for (; _epoch < _config.NumEpoch; _epoch++, _batch = 0)
            {
                foreach (var batch in _loader.Epoch(_epoch, _batch, cancellationToken))
                {
                    using (batch)
                    {
                        var lr = _schedule.LearningRate(_globalStep);
                        var loss = TrainStep(batch, lr);
                        _globalStep++;
                        _batch = batch.Index + 1;

                        var elapsed = clock.Elapsed.TotalSeconds;
                        var perStep = elapsed / (_globalStep - stepsAtStart);
                        var remaining = TimeSpan.FromSeconds(perStep * (_config.TotalSteps - _globalStep));
                        _observer.Step(new TrainingStep(_epoch, _globalStep, _config.TotalSteps, _config.StepsPerEpoch, loss, lr,
                            _config.TotalBatchSize / perStep, remaining));

                        if (_globalStep % _config.Frequent == 0)
                        {
                            var speed = (_globalStep - lastLog.Step) * _config.TotalBatchSize / (clock.Elapsed - lastLog.Time).TotalSeconds;
                            LogProgress(lr, speed, remaining.TotalHours);
                            lastLog = (clock.Elapsed, _globalStep);
                        }
                        if (_globalStep % _config.Verbose == 0 && _validation.Count > 0) Verify();
                    }
                    cancellationToken.ThrowIfCancellationRequested();
                }
                Save("epoch", _epoch + 1, 0);
                _lossThisEpoch.Reset();
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

    private double TrainStep(TrainingBatch batch, double lr)
    {
        using var scope = torch.NewDisposeScope();
        var images = torch.tensor(batch.Images, new long[] { batch.Count, 3, 112, 112 }).to(_device);
        var labels = torch.tensor(batch.Labels).to(_device);
        var result = _step.Run(images, labels, _globalStep, lr);
        var value = result.Loss;
        if (!result.Finite)
        {
            if (!_config.SkipNonFiniteLoss)
                throw new TrainingException("LossNotFinite",
                    $"The loss became {value} at global step {_globalStep + 1} (epoch {_epoch}, batch {batch.Index}); the last good checkpoint is kept. Lower lr, or set nan_policy: skip.");
            _skippedBatches++;
            _observer.Message($"Skipped batch {batch.Index} of epoch {_epoch}: loss {value}.");
            return value;
        }
        _lossSinceLog.Add(value);
        _lossThisEpoch.Add(value);
        return value;
    }

    private void LogProgress(double lr, double speed, double requiredHours)
    {
        var line = TrainingLogFile.StepLine(speed, _lossSinceLog.Average, lr, _epoch, _globalStep, requiredHours);
        _log.Write(line);
        _metrics.Write(new { type = "train", step = _globalStep, epoch = _epoch, loss = _lossSinceLog.Average, lr, speed, time = DateTimeOffset.UtcNow });
        _tensorBoard.Scalar("loss", _lossSinceLog.Average, _globalStep);
        _tensorBoard.Scalar("learning_rate", lr, _globalStep);
        _tensorBoard.Scalar("time_for_end", requiredHours, _globalStep);
        _observer.Logged(new TrainingMetrics(_epoch, _globalStep, _lossSinceLog.Average, lr, speed, requiredHours, line));
        _lossSinceLog.Reset();
    }

    private void Verify()
    {
        var embedder = new TorchModuleEmbedder(_backbone, $"{_config.Network} step {_globalStep}", _device);
        var runner = new VerificationRunner(embedder);
        var results = _validation.Select(v => runner.Run(v.Target, v.Set)).ToList();
        foreach (var result in results)
        {
            foreach (var line in result.LogLines(checked((int)_globalStep))) _log.Write(line);
            _metrics.Write(new { type = "verification", step = _globalStep, target = result.Target, accuracy = result.Accuracy,
                accuracy_std = result.AccuracyStd, xnorm = result.XNorm, tar_at_far = result.TarAtFar, time = DateTimeOffset.UtcNow });
            _tensorBoard.Scalar(result.Target, result.Accuracy, _globalStep);
        }
        var best = results[0];
        if (!(best.Accuracy <= _bestAccuracy))
        {
            _bestAccuracy = best.Accuracy;
            var manifest = Manifest("best", _epoch, resumable: false);
            CheckpointStore.SaveStandalone(Path.Combine(_request.RunFolder, "best"), manifest, f => CheckpointModel.SaveBackbone(f, _backbone), overwrite: true);
            _log.Write($"[{best.Target}][{_globalStep}]Accuracy-Highest: {_bestAccuracy:F5} (saved to best/)");
        }
        _observer.Verified(_globalStep, results);
    }

    private void Save(string reason, int epoch, long batch)
    {
        var manifest = Manifest(reason, epoch, _config.SaveAllStates);
        var state = new TrainingState
        {
            Epoch = epoch, Batch = batch, GlobalStep = _globalStep, NumClasses = _config.NumClasses, Network = _config.Network,
            EmbeddingSize = _config.EmbeddingSize, ConfigHash = _request.Config.Hash, BestAccuracy = _bestAccuracy,
            SkippedBatches = _skippedBatches,
        };
        var saved = CheckpointStore.Save(_request.RunFolder, manifest, folder =>
        {
            CheckpointModel.SaveBackbone(folder, _backbone);
            if (!_config.SaveAllStates) return;
            using (var head = new StateDict())
            {
                head.Add("weight", _head.weight.detach().cpu().clone());
                if (_step.HeadOptimizer is not null) head.Add("momentum", _step.HeadOptimizer.MomentumBuffer.detach().cpu().clone());
                PthWriter.Write(Path.Combine(folder, HeadFileName), head, overwrite: true);
            }
            _step.Optimizer.save_state_dict(Path.Combine(folder, OptimizerFileName));
            state.Write(folder);
        }, _config.KeepCheckpoints);
        _saved.Add(saved);
        _observer.CheckpointSaved(saved);
        _observer.Message($"Checkpoint written: {saved.Folder} ({reason}, epoch {epoch}, step {_globalStep}).");
    }

    private CheckpointManifest Manifest(string reason, int epoch, bool resumable) => new()
    {
        Network = _config.Network,
        EmbeddingSize = _config.EmbeddingSize,
        Epoch = epoch,
        GlobalStep = _globalStep,
        Loss = _lossThisEpoch.Average,
        NumClasses = _config.NumClasses,
        ConfigHash = _request.Config.Hash,
        Resumable = resumable,
        Reason = reason,
        Dataset = _request.Dataset.Info.DatasetPath,
        DataFolders = TrainingSetup.DataFolders(_request.Dataset),
        Versions = new() { ["insightface_engine"] = typeof(Trainer).Assembly.GetName().Version?.ToString() ?? "" },
    };

    private void PrepareRunFolder(string run, bool resume, bool overwrite)
    {
        var existing = File.Exists(Path.Combine(run, CheckpointManifest.FileName)) || Directory.Exists(Path.Combine(run, CheckpointStore.CheckpointsFolder));
        if (existing && !resume)
        {
            if (!overwrite)
                throw new TrainingException("RunExists", $"{run} already holds a training run. Use -Resume to continue it or -Force to replace it.");
            Directory.Delete(run, recursive: true);
        }
        Directory.CreateDirectory(run);
    }

    private void LoadResumeState(string run)
    {
        var checkpoint = CheckpointStore.List(run).LastOrDefault(c => c.Manifest.Resumable)
            ?? throw new TrainingException("ResumeNotFound", $"{run} has no resumable checkpoint (save_all_states must be on): nothing to resume.");
        TrainingState state;
        try
        {
            state = TrainingState.Read(checkpoint.Folder);
        }
        catch (Exception e) when (e is IOException or System.Text.Json.JsonException)
        {
            throw new TrainingException("ResumeIncompatible", $"{checkpoint.Folder}: {TrainingState.FileName} is missing or corrupt: {e.Message}", e);
        }
        var problems = new List<string>();
        if (state.Network != _config.Network) problems.Add($"network {state.Network} vs {_config.Network}");
        if (state.NumClasses != _config.NumClasses) problems.Add($"num_classes {state.NumClasses} vs {_config.NumClasses}");
        if (state.EmbeddingSize != _config.EmbeddingSize) problems.Add($"embedding_size {state.EmbeddingSize} vs {_config.EmbeddingSize}");
        if (state.WorldSize != _config.WorldSize) problems.Add($"world size {state.WorldSize} vs {_config.WorldSize}");
        if (problems.Count > 0)
            throw new TrainingException("ResumeIncompatible", $"{checkpoint.Folder} cannot continue this config: {string.Join("; ", problems)}.");
        if (state.ConfigHash != _request.Config.Hash)
            _observer.Message($"The config differs from the one {checkpoint.Folder} was trained with; resuming with the new values.");

        try
        {
            using (var weights = PthReader.Read(checkpoint.ModelPath)) StateDictLoader.Load(_backbone, weights, checkpoint.ModelPath);
            using (var head = PthReader.Read(Path.Combine(checkpoint.Folder, HeadFileName)))
            using (torch.no_grad())
            {
                _head.weight.copy_(head["weight"]);
                if (_step.HeadOptimizer is not null) _step.HeadOptimizer.MomentumBuffer.copy_(head["momentum"]);
            }
            _step.Optimizer.load_state_dict(Path.Combine(checkpoint.Folder, OptimizerFileName));
        }
        catch (Exception e) when (e is IOException or StateDictMismatchException or PthFormatException or KeyNotFoundException)
        {
            throw new TrainingException("ResumeIncompatible", $"{checkpoint.Folder}: the saved state cannot be loaded: {e.Message}", e);
        }
        _epoch = state.Epoch;
        _batch = state.Batch;
        _globalStep = state.GlobalStep;
        _bestAccuracy = state.BestAccuracy;
        _skippedBatches = state.SkippedBatches;
        _observer.Message($"Resuming from {checkpoint.Folder}: epoch {_epoch}, batch {_batch}, global step {_globalStep}.");
    }

    /// <inheritdoc />
    public void Dispose()
    {
        _log.Dispose();
        _metrics.Dispose();
        _loader.Dispose();
        _step.Dispose();
        _head.Dispose();
        _backbone.Dispose();
    }
}

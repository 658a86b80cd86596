using InsightFace.Engine.Backbones;
using InsightFace.Engine.Runtime;
using InsightFace.Engine.Distributed;
using InsightFace.Engine.Configuration;
using InsightFace.Engine.Heads;
using InsightFace.Engine.Import;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace InsightFace.Engine.Training;

/// <summary>
/// One iteration of arcface_torch's train_v2 loop: forward through the backbone and Partial FC, backward, and at
/// the end of every accumulation window (every <c>gradient_acc</c> iterations, counted in global steps) the update:
/// the backbone's gradients summed over the ranks, clipped at norm 5, and both optimizers stepped.
/// </summary>
/// <remarks>
/// The gradients of an accumulation window add up; the loss is not divided by <c>gradient_acc</c> (arcface_torch).
/// The head's sampled rows come back from <see cref="PartialFC.ForwardSampled"/> and are collected here over the
/// window, so that the sparse head update covers every centre any micro-batch of the window sampled.
/// </remarks>
public sealed class OptimizationStep : IDisposable
{
    /// <summary>The backbone's gradient norm is clipped to this before every update, as arcface_torch does.</summary>
    public const double ClipNorm = 5.0;

    private readonly nn.Module<Tensor, Tensor> _backbone;
    private readonly PartialFC _head;
    private readonly TrainingConfig _config;
    private readonly ICollectives _collectives;
    private readonly OptimizerHelper _optimizer;
    private readonly SparseCenterSgd? _headOptimizer;
    // The head rows sampled so far in this accumulation window: one flag per row of this rank's shard.
    private readonly Tensor _windowRows;
    private bool _pending;

    /// <summary>
    /// Creates the optimizers for <paramref name="backbone"/> and <paramref name="head"/> as <paramref name="config"/>
    /// says: SGD for the backbone with the sparse SGD for the centres (or, with pfc_update: dense, one SGD for both,
    /// as arcface_torch v2), or AdamW for both.
    /// </summary>
    public OptimizationStep(nn.Module<Tensor, Tensor> backbone, PartialFC head, TrainingConfig config, ICollectives collectives)
    {
        _backbone = backbone;
        _head = head;
        _config = config;
        _collectives = collectives;
        // Each group is given its settings: TorchSharp gives a group without them its defaults (no momentum, no
        // weight decay), not the optimizer's.
        var (lr, momentum, decay) = (config.EffectiveLr, config.Momentum, config.WeightDecay);
        if (config.Optimizer == "sgd" && config.DenseCentreUpdate)
        {
            _optimizer = new Optim.SGD(new[]
            {
                new SGD.ParamGroup(backbone.parameters(), lr, momentum, weight_decay: decay),
                new SGD.ParamGroup(head.parameters(), lr, momentum, weight_decay: decay),
            }, lr, momentum, decay);
        }
        else if (config.Optimizer == "sgd")
        {
            _optimizer = new Optim.SGD(new[] { new SGD.ParamGroup(backbone.parameters(), lr, momentum, weight_decay: decay) },
                lr, momentum, decay);
            _headOptimizer = new SparseCenterSgd(head, momentum, decay);
        }
        else
        {
            _optimizer = new Optim.AdamW(new[]
            {
                new AdamW.ParamGroup(backbone.parameters(), lr, weight_decay: decay),
                new AdamW.ParamGroup(head.parameters(), lr, weight_decay: decay),
            }, lr, decay);
        }
        _windowRows = zeros(head.Shard.Count, ScalarType.Bool, head.weight.device).DetachFromDisposeScope();
    }

    /// <summary>True while an accumulation window has gathered gradients that no update has applied yet.</summary>
    public bool HasPendingGradients => _pending;

    /// <summary>The momentum of every centre when the sparse SGD updates them (saved in head.pt); null otherwise.</summary>
    public Tensor? HeadMomentum => _headOptimizer?.MomentumBuffer;

    /// <summary>
    /// Lays out the backbone's 4-D parameters, their gradients and the optimizer's state for them as
    /// <paramref name="format"/> (<see cref="MemoryFormat"/>) says, so that each update reads and writes memory in one
    /// order.
    /// </summary>
    public void ApplyMemoryFormat(string format)
    {
        MemoryFormat.Apply(_backbone, format);
        LayOutState(format);
    }

    /// <summary>Writes the backbone optimizer's state (and the head's, where it updates the head) to <paramref name="path"/>.</summary>
    /// <remarks>
    /// The file holds the state in the contiguous layout whatever layout the backbone has (TorchSharp reads and
    /// writes only contiguous tensors), so a run resumes in either layout.
    /// </remarks>
    public void SaveOptimizerState(string path)
    {
        LayOutState(MemoryFormat.Contiguous);
        try
        {
            _optimizer.save_state_dict(path);
        }
        finally
        {
            LayOutState(MemoryFormat.Of(_backbone));
        }
    }

    /// <summary>
    /// Reads what <see cref="SaveOptimizerState"/> wrote: the momentum buffers or AdamW's moments. The settings
    /// (momentum, weight decay) stay this config's, as they do for the head, whatever the checkpoint was trained with.
    /// </summary>
    public void LoadOptimizerState(string path)
    {
        LayOutState(MemoryFormat.Contiguous);
        _optimizer.load_state_dict(path);
        LayOutState(MemoryFormat.Of(_backbone));
        // load_state_dict also restores each group's settings, as PyTorch's does.
        foreach (var group in _optimizer.ParamGroups)
        {
            switch (group)
            {
                case SGD.ParamGroup sgd:
                    sgd.Options.momentum = _config.Momentum;
                    sgd.Options.weight_decay = _config.WeightDecay;
                    break;
                case AdamW.ParamGroup adamw:
                    adamw.Options.weight_decay = _config.WeightDecay;
                    break;
            }
        }
    }

    /// <summary>
    /// Makes the state that lives from one iteration to the next, every trainable parameter's gradient and the
    /// SGD's momentum buffers, now instead of during the first iteration, as zeros that change no number
    /// (<see cref="Optim.Gradients.Reserve"/>, <see cref="Optim.SGD.ReserveState"/>): made first, they lie in the heap
    /// below the activations. Call it just before the first iteration, after any resume.
    /// </summary>
    public void ReserveState()
    {
        Optim.Gradients.Reserve(_backbone.parameters().Concat(_head.parameters()));
        (_optimizer as Optim.SGD)?.ReserveState();
    }

    /// <summary>
    /// Trains on one micro-batch: <paramref name="images"/> (the backbone's input, N×3×112×112 for the face
    /// networks) and their <paramref name="labels"/>, as
    /// iteration <paramref name="globalStep"/> (zero-based) at rate <paramref name="learningRate"/>. libtorch's
    /// generator is reseeded from the seed and the step first, so dropout and the negatives sampled repeat on resume.
    /// </summary>
    public StepResult Run(Tensor images, Tensor labels, long globalStep, double learningRate)
    {
        using var scope = NewDisposeScope();
        manual_seed(_config.Seed + globalStep + 1);
        var output = _head.ForwardSampled(_backbone.call(images), labels);
        double loss;
        using (var value = output.Loss.ToScalar()) loss = value.ToDouble();
        if (!double.IsFinite(loss))
        {
            DiscardWindow();
            return new StepResult(loss, Finite: false, Updated: false);
        }

        output.Loss.backward();
        _windowRows.index_fill_(0, output.SampledRows, Scalars.True);
        _pending = (globalStep + 1) % _config.GradientAcc != 0;
        if (_pending) return new StepResult(loss, Finite: true, Updated: false);

        // Summed, not averaged: Partial FC's embedding gradients already carry the global batch's 1/B (see PartialFC).
        GradientBuckets.SumOverRanks(_backbone.parameters().Select(p => p.grad).OfType<Tensor>().ToList(), _collectives);
        foreach (var group in _optimizer.ParamGroups) group.LearningRate = learningRate;
        nn.utils.clip_grad_norm_(_backbone.parameters(), ClipNorm);
        _optimizer.step();
        _headOptimizer?.Step(learningRate, _windowRows.nonzero().squeeze(1));
        _optimizer.zero_grad();
        _head.weight.grad?.zero_();
        _windowRows.zero_();
        return new StepResult(loss, Finite: true, Updated: true);
    }

    private void LayOutState(string format)
    {
        foreach (var tensor in ((Optim.IStatefulOptimizer)_optimizer).StateTensors()) MemoryFormat.Relayout(tensor, format);
    }

    // A non-finite loss discards the whole window's gradients, the backbone's and the head's alike.
    private void DiscardWindow()
    {
        _optimizer.zero_grad();
        _head.weight.grad?.zero_();
        _windowRows.zero_();
        _pending = false;
    }

    /// <summary>
    /// The window in progress, on the CPU, so that a checkpoint taken inside it resumes exactly: the backbone's
    /// gradients (<c>backbone.</c> and the parameter's name), the centres' (<c>head.weight</c>) and the rows
    /// sampled so far (<c>head.sampled_rows</c>).
    /// </summary>
    public StateDict PendingGradients()
    {
        using var scope = NewDisposeScope();
        var gradients = new StateDict();
        void Add(string key, Tensor value) => gradients.Add(key, value.cpu().clone().DetachFromDisposeScope());
        foreach (var (name, parameter) in _backbone.named_parameters())
            if (parameter.grad is { } gradient) Add($"backbone.{name}", gradient);
        if (_head.weight.grad is { } centres) Add("head.weight", centres);
        Add("head.sampled_rows", _windowRows.nonzero().squeeze(1));
        return gradients;
    }

    /// <summary>Puts back what <see cref="PendingGradients"/> returned, before the window's next micro-batch.</summary>
    public void RestorePendingGradients(StateDict gradients)
    {
        using var scope = NewDisposeScope();
        foreach (var (name, parameter) in _backbone.named_parameters())
            if (gradients.ContainsKey($"backbone.{name}")) SetGradient(parameter, gradients[$"backbone.{name}"]);
        if (gradients.ContainsKey("head.weight")) SetGradient(_head.weight, gradients["head.weight"]);
        _windowRows.index_fill_(0, gradients["head.sampled_rows"].to(_windowRows.device), Scalars.True);
        _pending = true;
    }

    private static void SetGradient(Tensor parameter, Tensor gradient)
    {
        var value = gradient.to(parameter.dtype, parameter.device);
        if (parameter.grad is { } existing) existing.copy_(value);
        else parameter.grad = empty_like(parameter).copy_(value).DetachFromDisposeScope();
    }

    /// <inheritdoc />
    public void Dispose()
    {
        _windowRows.Dispose();
        _headOptimizer?.Dispose();
        _optimizer.Dispose();
    }
}

/// <summary>What one iteration did.</summary>
/// <param name="Loss">The micro-batch's loss.</param>
/// <param name="Finite">False when the loss was NaN or infinite: nothing was learnt, and the accumulation window's gradients were discarded.</param>
/// <param name="Updated">True when the iteration ended an accumulation window and the optimizers stepped.</param>
public readonly record struct StepResult(double Loss, bool Finite, bool Updated);

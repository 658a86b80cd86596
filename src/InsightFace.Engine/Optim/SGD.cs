using InsightFace.Engine.Runtime;
using TorchSharp;
using static TorchSharp.torch;

namespace InsightFace.Engine.Optim;

/// <summary>
/// torch.optim.SGD with momentum and weight decay (no dampening, no Nesterov), as TorchSharp's <see cref="TorchSharp.Modules.SGD"/>
/// computes it and with its state and state-file format, but holding every <see cref="Scalar"/> it hands libtorch
/// until the call has returned. Named SGD because TorchSharp writes the optimizer's type name into the state file and
/// refuses a file with another: state written by TorchSharp's SGD resumes with this one, and the other way round.
/// </summary>
/// <remarks>
/// TorchSharp's own step converts doubles to Scalars implicitly and passes only their native handles, so the garbage
/// collector may finalize a Scalar (and free it, on the finalizer thread) while libtorch still reads it: long runs
/// failed with "Unknown scalar type" or a failed check in <c>Scalar::toFloat</c> (bench/ScalarRace reproduces it).
/// </remarks>
public sealed class SGD : TorchSharp.Modules.SGD, IStatefulOptimizer
{
    /// <summary>One optimizer over <paramref name="groups"/>, each with the learning rate, momentum and weight decay it was given.</summary>
    public SGD(IEnumerable<ParamGroup> groups, double lr, double momentum, double weightDecay)
        : base(groups, lr, momentum, weight_decay: weightDecay)
    {
    }

    /// <inheritdoc />
    public override Tensor step(Func<Tensor>? closure = null) => _step<ParamGroup>(group =>
    {
        var options = group.Options;
        using var decay = options.weight_decay!.Value.ToScalar();
        using var momentum = options.momentum!.Value.ToScalar();
        using var descent = (-options.LearningRate!.Value).ToScalar();
        foreach (var parameter in group.Parameters)
        {
            if (parameter.grad is not { } gradient) continue;
            // The decayed gradient is freed as soon as its parameter is updated, as PyTorch's reference counting does,
            // not at the end of the step: otherwise a step holds a second copy of every gradient at once.
            using var decayed = options.weight_decay.Value != 0 ? gradient.add(parameter, alpha: decay) : null;
            gradient = decayed ?? gradient;
            if (options.momentum.Value != 0)
            {
                var state = (State)_state[parameter.Handle];
                if (state.momentum_buffer is { } buffer) buffer.mul_(momentum).add_(gradient, alpha: Scalars.One);
                else state.momentum_buffer = gradient.clone().detach().DetachFromDisposeScope();
                gradient = state.momentum_buffer;
            }
            parameter.add_(gradient, alpha: descent);
        }
    }, closure);

    /// <summary>
    /// Makes every momentum buffer not made yet, as zeros in its parameter's layout, instead of at the first step.
    /// The first step then computes 0·momentum + g = g, the numbers PyTorch's clone of g gives. Made before the first
    /// step, the buffers lie in the heap below its activations, not in the holes between them (see <see cref="Gradients.Reserve"/>).
    /// </summary>
    public void ReserveState()
    {
        foreach (var group in ParamGroups.OfType<ParamGroup>())
        {
            if (group.Options.momentum is not { } momentum || momentum == 0) continue;
            foreach (var parameter in group.Parameters)
            {
                var state = (State)_state[parameter.Handle];
                state.momentum_buffer ??= zeros_like(parameter).DetachFromDisposeScope();
            }
        }
    }

    /// <inheritdoc />
    /// <remarks>The momentum buffers, one per parameter that has stepped or had its state reserved.</remarks>
    public IEnumerable<Tensor> StateTensors() => _state.Values.Select(state => ((State)state).momentum_buffer).OfType<Tensor>();
}

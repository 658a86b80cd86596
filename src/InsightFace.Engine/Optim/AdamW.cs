using InsightFace.Engine.Runtime;
using TorchSharp;
using static TorchSharp.torch;

namespace InsightFace.Engine.Optim;

/// <summary>
/// torch.optim.AdamW (no AMSGrad), as TorchSharp's <see cref="TorchSharp.Modules.AdamW"/> computes it and with its state and state-file
/// format, but holding every <see cref="Scalar"/> it hands libtorch until the call has returned (see
/// <see cref="SGD"/> for why, and for its name).
/// </summary>
public sealed class AdamW : TorchSharp.Modules.AdamW, IStatefulOptimizer
{
    /// <summary>One optimizer over <paramref name="groups"/>, each with the learning rate and weight decay it was given.</summary>
    public AdamW(IEnumerable<ParamGroup> groups, double lr, double weightDecay)
        : base(groups, lr, weight_decay: weightDecay)
    {
    }

    /// <inheritdoc />
    public override Tensor step(Func<Tensor>? closure = null) => _step<ParamGroup>(group =>
    {
        var options = group.Options;
        var (lr, beta1, beta2) = (options.LearningRate!.Value, options.beta1!.Value, options.beta2!.Value);
        using var decayFactor = (1 - lr * options.weight_decay!.Value).ToScalar();
        using var beta1Scalar = beta1.ToScalar();
        using var beta2Scalar = beta2.ToScalar();
        using var oneMinusBeta1 = (1 - beta1).ToScalar();
        using var oneMinusBeta2 = (1 - beta2).ToScalar();
        using var eps = options.eps!.Value.ToScalar();
        foreach (var parameter in group.Parameters)
        {
            if (parameter.grad is not { } gradient) continue;
            var state = (State)_state[parameter.Handle];
            state.step++;
            var biasCorrection1 = 1 - Math.Pow(beta1, state.step);
            var biasCorrection2 = 1 - Math.Pow(beta2, state.step);
            using var rootBiasCorrection2 = Math.Sqrt(biasCorrection2).ToScalar();
            using var stepSize = (-lr / biasCorrection1).ToScalar();

            parameter.mul_(decayFactor);
            state.exp_avg.mul_(beta1Scalar).add_(gradient, alpha: oneMinusBeta1);
            state.exp_avg_sq.mul_(beta2Scalar).addcmul_(gradient, gradient, value: oneMinusBeta2);
            var denominator = state.exp_avg_sq.sqrt().div_(rootBiasCorrection2).add_(eps, Scalars.One);
            parameter.addcdiv_(state.exp_avg, denominator, value: stepSize);
        }
    }, closure);

    /// <inheritdoc />
    /// <remarks>The first and second moments of every parameter.</remarks>
    public IEnumerable<Tensor> StateTensors() =>
        _state.Values.Cast<State>().SelectMany(state => new[] { state.exp_avg, state.exp_avg_sq, state.max_exp_avg_sq }).OfType<Tensor>();
}

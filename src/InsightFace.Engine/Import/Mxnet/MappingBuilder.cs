namespace InsightFace.Engine.Import.Mxnet;

/// <summary>
/// Collects the state_dict a mapper produces from MXNet arrays: plain weights, and BatchNorms translated to
/// PyTorch's semantics (fix_gamma as weight 1, MXNet's eps folded into running_var for ours).
/// </summary>
internal sealed class MappingBuilder(ArrayTaker arrays, SymbolExpectations graph, double batchNormEps)
{
    public Dictionary<string, MappedTensor> State { get; } = new(StringComparer.Ordinal);

    /// <summary>Stores array <paramref name="mx"/> (which must have <paramref name="shape"/>) under <paramref name="ours"/>.</summary>
    public MappedTensor Weight(string ours, string mx, long[] shape) => State[ours] = new(shape, arrays.Take(mx, shape));

    /// <summary>MXNet BatchNorm {gamma, beta, moving_mean, moving_var} to PyTorch {weight, bias, running_mean, running_var}.</summary>
    public void BatchNorm(string mx, string ours, long channels)
    {
        long[] shape = [channels];
        var gamma = arrays.Take($"{mx}_gamma", shape);
        // fix_gamma means MXNet computes with gamma = 1 whatever the stored value is.
        State[$"{ours}.weight"] = new(shape, graph.FixGamma(mx) ? Enumerable.Repeat(1f, (int)channels).ToArray() : gamma);
        Weight($"{ours}.bias", $"{mx}_beta", shape);
        Weight($"{ours}.running_mean", $"{mx}_moving_mean", shape);
        // var + eps_mx = var' + eps: the same normalisation with our eps.
        var shift = (float)(graph.BatchNormEps(mx) - batchNormEps);
        State[$"{ours}.running_var"] = new(shape, arrays.Take($"{mx}_moving_var", shape).Select(v => v + shift).ToArray());
    }

    /// <summary>Multiplies a stored tensor by <paramref name="factor"/> (input scaling folded into a bias-free conv).</summary>
    public void Scale(string ours, float factor) =>
        State[ours] = State[ours] with { Values = State[ours].Values.Select(v => v * factor).ToArray() };

    /// <summary>The factor that folds the graph's input normalisation into the first conv, with a note saying so.</summary>
    public static float InputFactor(double mean, double scale, string source, List<string> notes)
    {
        if (mean != 0 && Math.Abs(mean - MappedBackbone.InputMean) > 1e-6)
            throw new MxnetMappingException(ErrorIds.MxnetGraphMismatch, source,
                [$"input normalisation: the graph subtracts {mean}; only {MappedBackbone.InputMean} (or none) can be folded into the first conv"]);
        // Our input is MXNet's input × (127.5 · scale); the first conv has no bias, so scaling its weight is exact.
        // A graph without normalisation was fed normalised input from outside, taken to be ours.
        var factor = mean == 0 && scale == 1 ? 1f : (float)(MappedBackbone.InputStd * scale);
        notes.Add(factor == 1f
            ? "the MXNet graph has no input normalisation: it is taken to expect (x - 127.5)/127.5 as ours does"
            : $"first conv weight scaled by {factor} for input (x - 127.5)/127.5 (the MXNet graph scales by {scale})");
        return factor;
    }
}

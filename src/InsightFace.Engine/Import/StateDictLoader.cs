using TorchSharp;

namespace InsightFace.Engine.Import;

/// <summary>
/// Copies a <see cref="StateDict"/> into a TorchSharp module, as PyTorch's <c>load_state_dict</c>: strictly (every key
/// present with its shape, else nothing is loaded), or leniently (the entries that fit are loaded, the rest reported).
/// </summary>
public static class StateDictLoader
{
    /// <summary>Loads <paramref name="source"/> (read from <paramref name="sourceName"/>) into <paramref name="module"/>.</summary>
    /// <exception cref="StateDictMismatchException"><paramref name="strict"/> and the keys or shapes differ; the module is unchanged.</exception>
    public static StateDictLoadReport Load(torch.nn.Module module, StateDict source, string sourceName, bool strict = true)
    {
        var target = module.state_dict();
        // BatchNorm counters absent from a file start at 0, as PyTorch's BatchNorm._load_from_state_dict does.
        var missing = target.Keys.Where(k => !source.ContainsKey(k) && !k.EndsWith(".num_batches_tracked", StringComparison.Ordinal)).ToList();
        var unexpected = source.Keys.Where(k => !target.ContainsKey(k)).ToList();
        var mismatched = source.Keys.Where(k => target.ContainsKey(k) && !target[k].shape.SequenceEqual(source[k].shape))
            .Select(k => $"{k}: file [{string.Join(", ", source[k].shape)}], model [{string.Join(", ", target[k].shape)}]").ToList();
        var loaded = source.Keys.Where(k => target.ContainsKey(k) && target[k].shape.SequenceEqual(source[k].shape)).ToList();

        var report = new StateDictLoadReport(loaded, missing, unexpected, mismatched);
        if (strict && !report.IsComplete) throw new StateDictMismatchException(sourceName, report);

        using (torch.no_grad())
            foreach (var key in loaded)
                target[key].copy_(source[key]);
        return report;
    }
}

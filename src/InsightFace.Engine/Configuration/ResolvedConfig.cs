using System.Security.Cryptography;
using System.Text;

namespace InsightFace.Engine.Configuration;

/// <summary>A validated configuration: every key with its origin, the typed view, and its YAML form.</summary>
public sealed class ResolvedConfig
{
    internal ResolvedConfig(IReadOnlyDictionary<string, ConfigValue> values, TrainingConfig config, IReadOnlyList<string> warnings)
    {
        Values = values;
        Config = config;
        Warnings = warnings;
        Yaml = string.Concat(ConfigSchema.Keys.Select(k => $"{k.Name}: {Quote(values[k.Name].Value)}\n"));
        Hash = Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(Yaml))).ToLowerInvariant()[..16];
    }

    /// <summary>Every key, in schema order, with the value and where it came from.</summary>
    public IReadOnlyDictionary<string, ConfigValue> Values { get; }

    /// <summary>The typed configuration with derived values.</summary>
    public TrainingConfig Config { get; }

    /// <summary>Values of the config file that the dataset's own replaced (num_classes, num_image), one line each.</summary>
    public IReadOnlyList<string> Warnings { get; }

    /// <summary>The resolved configuration as YAML, loadable again as a config file.</summary>
    public string Yaml { get; }

    /// <summary>A short hash of <see cref="Yaml"/>, recorded in checkpoints.</summary>
    public string Hash { get; }

    /// <summary>arcface_torch's start-of-run dump: one ": key value" line per key, then the derived values.</summary>
    public IEnumerable<string> LogLines()
    {
        foreach (var (key, value) in Values) yield return $": {key,-32}{ConfigValue.Show(value.Value)}";
        yield return $": {"world_size",-32}{Config.WorldSize}";
        yield return $": {"total_batch_size",-32}{Config.TotalBatchSize}";
        yield return $": {"steps_per_epoch",-32}{Config.StepsPerEpoch}";
        yield return $": {"total_step",-32}{Config.TotalSteps}";
        yield return $": {"warmup_step",-32}{Config.WarmupSteps}";
        yield return $": {"lr_effective",-32}{ConfigValue.Show(Config.EffectiveLr)}";
    }

    private static string Quote(object? value) => value is string s ? $"'{s.Replace("'", "''")}'" : ConfigValue.Show(value);
}

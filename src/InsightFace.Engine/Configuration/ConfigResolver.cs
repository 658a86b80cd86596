using System.Collections;

namespace InsightFace.Engine.Configuration;

/// <summary>
/// Merges the configuration layers and validates the result before any work starts. Precedence, highest first:
/// cmdlet parameters, -Set, the dataset given to the command, the YAML file, its base: chain, built-in defaults.
/// </summary>
public static class ConfigResolver
{
    /// <summary>Resolves and validates a training configuration.</summary>
    /// <param name="configPath">The YAML file, or null for defaults only.</param>
    /// <param name="dataset">Values taken from a dataset passed to the command (rec, num_classes, num_image).</param>
    /// <param name="set">The -Set overrides (a hashtable of key to value).</param>
    /// <param name="parameters">Values of explicit cmdlet parameters.</param>
    /// <param name="worldSize">Number of processes.</param>
    public static ResolvedConfig Resolve(string? configPath, IReadOnlyDictionary<string, object?>? dataset = null,
        IDictionary? set = null, IReadOnlyDictionary<string, object?>? parameters = null, int worldSize = 1)
    {
        var values = ConfigSchema.Keys.ToDictionary(k => k.Name, k => new ConfigValue(k.Default, "default"), StringComparer.Ordinal);

        if (configPath is not null)
            foreach (var layer in YamlConfigFile.ReadChain(configPath))
                foreach (var (key, (raw, origin)) in layer)
                    Apply(values, key, raw, origin);
        var replaced = new Dictionary<string, ConfigValue>(StringComparer.Ordinal);
        foreach (var (key, raw) in dataset ?? new Dictionary<string, object?>())
        {
            var before = values[key];
            Apply(values, key, raw, "dataset");
            if (key is "num_classes" or "num_image" && before.Origin != "default" && !Equals(before.Value, values[key].Value))
                replaced[key] = before;
        }
        if (set is not null)
            foreach (DictionaryEntry entry in set) Apply(values, entry.Key.ToString() ?? "", entry.Value, "-Set");
        foreach (var (key, raw) in parameters ?? new Dictionary<string, object?>()) Apply(values, key, raw, "parameter");
        // The dataset's own counts win over a config file's, which may have been written for another dataset: say so.
        var warnings = replaced.Where(r => values[r.Key].Origin == "dataset")
            .Select(r => $"{r.Value.Origin}: {r.Key} {ConfigValue.Show(r.Value.Value)} is replaced by the dataset's {ConfigValue.Show(values[r.Key].Value)}.")
            .ToList();

        if (values["output"].Value is null)
        {
            var name = configPath is null ? "run" : Path.GetFileNameWithoutExtension(configPath);
            values["output"] = new ConfigValue(Path.Combine("work_dirs", name), "derived");
        }
        foreach (var key in ConfigSchema.Keys.Where(k => values[k.Name].Value is null))
            throw new ConfigException(ErrorIds.ConfigValueMissing,
                $"'{key.Name}' ({key.Description}) is not set: set it in the config, with -Set, or pass a dataset.", key.Name);

        var config = new TrainingConfig(values, worldSize);
        if (config.StepsPerEpoch == 0)
            throw new ConfigException(ErrorIds.ConfigValueInvalid,
                $"num_image ({config.NumImage}) is smaller than one global batch ({config.TotalBatchSize} = batch_size {config.BatchSize} × {worldSize} processes): an epoch would have no steps.",
                "num_image");
        if (config.WarmupEpoch > config.NumEpoch)
            throw new ConfigException(ErrorIds.ConfigValueInvalid,
                $"{values["warmup_epoch"].Origin}: warmup_epoch ({config.WarmupEpoch}) is longer than num_epoch ({config.NumEpoch}).", "warmup_epoch");
        return new ResolvedConfig(ConfigSchema.Keys.ToDictionary(k => k.Name, k => values[k.Name], StringComparer.Ordinal), config, warnings);
    }

    private static void Apply(Dictionary<string, ConfigValue> values, string key, object? raw, string origin)
    {
        if (!ConfigSchema.TryGet(key, out var definition))
        {
            throw new ConfigException(ErrorIds.ConfigKeyUnknown, $"{origin}: unknown key '{key}'.{ConfigSchema.DidYouMean(key)}", key);
        }
        var value = ConfigValue.Convert(definition, raw, origin);
        if (value is not null && definition.Check?.Invoke(value) is { } problem)
            throw new ConfigException(ErrorIds.ConfigValueInvalid, $"{origin}: '{key}' = {ConfigValue.Show(value)}: {problem}.", key);
        values[key] = new ConfigValue(value, origin);
    }
}

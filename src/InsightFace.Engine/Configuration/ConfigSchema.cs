using InsightFace.Engine.Backbones;

namespace InsightFace.Engine.Configuration;

/// <summary>
/// Every key a training config may hold: arcface_torch's configs/base.py keys with its defaults, plus the few this
/// toolbox adds (device, lr_power, keep_checkpoints, nan_policy, margin_gradient, dropout, pfc_update, memory_format).
/// </summary>
public static class ConfigSchema
{

    /// <summary>The keys in the order they are written to a resolved config.</summary>
    public static IReadOnlyList<ConfigKey> Keys { get; } = new ConfigKey[]
    {
        new("network", ConfigKind.Text, "r50", "backbone name", v => OneOf(v, BackboneRegistry.Names)),
        new("embedding_size", ConfigKind.Integer, 512L, "embedding dimension", Positive),
        new("dropout", ConfigKind.Number, 0.0, "dropout before the embedding layer", v => InRange(v, 0, 1, upperOpen: true)),
        new("margin_list", ConfigKind.NumberList, new[] { 1.0, 0.5, 0.0 }, "combined margin (m1, m2, m3)", Margins),
        new("margin_gradient", ConfigKind.Text, "true", "ArcFace gradient: true (MXNet, OneFlow) or straight_through (arcface_torch since 2022-12)",
            v => OneOf(v, new[] { "true", "straight_through" })),
        new("scale", ConfigKind.Number, 64.0, "logit scale s", Positive),
        new("sample_rate", ConfigKind.Number, 1.0, "Partial FC sampling rate", v => InRange(v, 0, 1)),
        new("pfc_update", ConfigKind.Text, "sparse", "how SGD updates the class centres: sparse (Partial FC v1: centres not sampled stay as they are) or dense (arcface_torch v2: momentum and weight decay move every centre)",
            v => OneOf(v, new[] { "sparse", "dense" })),
        new("interclass_filtering_threshold", ConfigKind.Number, 0.0, "inter-class filtering: cosines of other classes above it count as 0 (0 disables; 0.4 in the PFC paper)",
            v => InRange(v, 0, 1)),
        new("fp16", ConfigKind.Boolean, false, "mixed precision"),
        new("optimizer", ConfigKind.Text, "sgd", "sgd or adamw", v => OneOf(v, new[] { "sgd", "adamw" })),
        new("lr", ConfigKind.Number, 0.1, "base learning rate", Positive),
        new("scale_lr", ConfigKind.Boolean, false, "scale lr by total_batch_size / 512 (arcface_torch v1 and OneFlow); false keeps lr as given (arcface_torch today)"),
        new("lr_power", ConfigKind.Number, 1.0, "power of the polynomial decay (2 in arcface_torch's 2022 PolyScheduler)", Positive),
        new("momentum", ConfigKind.Number, 0.9, "SGD momentum", v => InRange(v, 0, 1, upperOpen: true)),
        new("weight_decay", ConfigKind.Number, 5e-4, "weight decay", NonNegative),
        new("batch_size", ConfigKind.Integer, 128L, "batch size per process", Positive),
        new("gradient_acc", ConfigKind.Integer, 1L, "gradient accumulation steps", Positive),
        new("num_epoch", ConfigKind.Integer, 20L, "epochs", Positive),
        new("warmup_epoch", ConfigKind.Integer, 0L, "warm-up epochs", NonNegative),
        new("num_classes", ConfigKind.Integer, null, "number of identities", Positive),
        new("num_image", ConfigKind.Integer, null, "number of training images", Positive),
        new("rec", ConfigKind.Text, null, "dataset folder or file (RecordIO, image folder, OFRecord) or 'synthetic'"),
        new("val_targets", ConfigKind.TextList, new[] { "lfw", "cfp_fp", "agedb_30" }, "verification sets (.bin names beside the dataset)"),
        new("frequent", ConfigKind.Integer, 10L, "log every N steps", Positive),
        new("verbose", ConfigKind.Integer, 2000L, "verify every N steps", Positive),
        new("seed", ConfigKind.Integer, 2048L, "random seed", NonNegative),
        new("num_workers", ConfigKind.Integer, 2L, "JPEG decode threads", Positive),
        new("output", ConfigKind.Text, null, "run folder (default work_dirs/<config name>)"),
        new("resume", ConfigKind.Boolean, false, "continue from the run folder's last checkpoint"),
        new("save_all_states", ConfigKind.Boolean, true, "save optimiser, scheduler, head and RNG state for resume"),
        new("keep_checkpoints", ConfigKind.Integer, 3L, "checkpoints to keep", Positive),
        new("nan_policy", ConfigKind.Text, "stop", "on a NaN/Inf loss: stop or skip the batch", v => OneOf(v, new[] { "stop", "skip" })),
        new("device", ConfigKind.Text, "cpu", "cpu, cuda or cuda:N"),
        new("memory_format", ConfigKind.Text, MemoryFormat.Contiguous, "layout of images, activations and convolution weights: contiguous (NCHW, PyTorch's default) or channels_last (NHWC in memory; faster on some CPUs, wrong on some, so a CPU run checks it first and trains in contiguous where it is wrong: see docs/usage/training.md)",
            v => OneOf(v, MemoryFormat.Names)),
        new("dali", ConfigKind.Boolean, false, "NVIDIA DALI loader (not available: must be false)",
            v => (bool)v ? "DALI is a Python/CUDA loader this toolbox does not have; set dali: false" : null),
    };

    private static readonly Dictionary<string, ConfigKey> ByName = Keys.ToDictionary(k => k.Name, StringComparer.Ordinal);

    /// <summary>Finds a key by its exact name.</summary>
    public static bool TryGet(string name, out ConfigKey key) => ByName.TryGetValue(name, out key!);

    /// <summary>
    /// The " Did you mean 'x'?" that follows an unknown key in an error message, naming the keys
    /// <paramref name="name"/> most likely meant; empty when none is close.
    /// </summary>
    public static string DidYouMean(string name) => Suggest(name) switch
    {
        [] => "",
        [var only] => $" Did you mean '{only}'?",
        var several => $" Did you mean {string.Join(", ", several.SkipLast(1).Select(k => $"'{k}'"))} or '{several[^1]}'?",
    };

    /// <summary>
    /// The known keys <paramref name="name"/> most likely meant, best first and at most three: the same name but for
    /// case, '_' and '-' (BatchSize: batch_size); a typo of one; a key that holds the name, plural or not, or is held by
    /// it (epochs: num_epoch, warmup_epoch); the initials of its words (learning_rate: lr).
    /// </summary>
    public static IReadOnlyList<string> Suggest(string name)
    {
        var plain = Plain(name);
        if (plain.Length == 0) return [];
        var singular = plain.Length > 3 && plain.EndsWith('s') ? plain[..^1] : plain;
        var words = name.ToLowerInvariant().Split(['_', '-', ' '], StringSplitOptions.RemoveEmptyEntries);
        var initials = words.Length > 1 ? string.Concat(words.Select(w => w[0])) : null;

        int? Score(string key)
        {
            var known = Plain(key);
            var distance = EditDistance(plain, known);
            if (distance <= Math.Max(2, plain.Length / 3) && distance < Math.Min(plain.Length, known.Length)) return distance;
            if (Math.Min(singular.Length, known.Length) >= 3 && (known.Contains(singular, StringComparison.Ordinal) || singular.Contains(known, StringComparison.Ordinal)))
                return 10;
            return key == initials ? 10 : null;
        }

        return Keys.Select(k => (k.Name, Score: Score(k.Name)))
            .Where(c => c.Score is not null)
            .OrderBy(c => c.Score).ThenBy(c => c.Name, StringComparer.Ordinal)
            .Take(3).Select(c => c.Name).ToList();
    }

    private static string Plain(string name) =>
        string.Concat(name.ToLowerInvariant().Where(c => c is not ('_' or '-' or ' ')));

    private static int EditDistance(string a, string b)
    {
        var row = Enumerable.Range(0, b.Length + 1).ToArray();
        for (var i = 1; i <= a.Length; i++)
        {
            var diagonal = row[0];
            row[0] = i;
            for (var j = 1; j <= b.Length; j++)
            {
                var above = row[j];
                row[j] = Math.Min(Math.Min(row[j] + 1, row[j - 1] + 1), diagonal + (a[i - 1] == b[j - 1] ? 0 : 1));
                diagonal = above;
            }
        }
        return row[b.Length];
    }

    private static string? OneOf(object value, IReadOnlyList<string> allowed) =>
        allowed.Contains((string)value, StringComparer.Ordinal) ? null : $"expected one of {string.Join(", ", allowed)}";

    private static string? Positive(object value) => AsDouble(value) > 0 ? null : "expected a value greater than 0";

    private static string? NonNegative(object value) => AsDouble(value) >= 0 ? null : "expected a value of 0 or more";

    private static string? InRange(object value, double low, double high, bool upperOpen = false)
    {
        var x = AsDouble(value);
        var ok = x >= low && (upperOpen ? x < high : x <= high);
        return ok ? null : $"expected a value in [{low}, {high}{(upperOpen ? ")" : "]")}";
    }

    private static string? Margins(object value)
    {
        var m = (double[])value;
        if (m.Length != 3) return "expected three numbers (m1, m2, m3)";
        if (m[0] <= 0) return "m1 must be greater than 0";
        return m[1] < 0 || m[1] >= Math.PI / 2 ? "m2 must be in [0, pi/2)" : null;
    }

    private static double AsDouble(object value) => value is long l ? l : (double)value;
}

using System.Text.Json;

namespace InsightFace.Engine.Training.Plotting;

/// <summary>
/// A run's metrics.jsonl read back as series against the global step, each step once. The file is only appended
/// to, and a resumed run starts again from its checkpoint, so the steps it trains again after it are logged twice:
/// the later line, from the run that went on, wins. A value written as null (not finite) has no point.
/// </summary>
/// <param name="Loss">The logged loss.</param>
/// <param name="LearningRate">The logged learning rate.</param>
/// <param name="Accuracy">Verification accuracy by target, in the order the targets first appear.</param>
internal sealed record TrainingSeries(
    IReadOnlyList<(long Step, double Value)> Loss,
    IReadOnlyList<(long Step, double Value)> LearningRate,
    IReadOnlyList<(string Target, IReadOnlyList<(long Step, double Value)> Points)> Accuracy)
{
    /// <summary>Reads <paramref name="metricsPath"/>.</summary>
    public static TrainingSeries Read(string metricsPath)
    {
        var loss = new List<(long, double?)>();
        var lr = new List<(long, double?)>();
        var accuracy = new Dictionary<string, List<(long, double?)>>();
        var targets = new List<string>();
        foreach (var line in File.ReadLines(metricsPath).Where(l => l.Length > 0))
        {
            using var json = JsonDocument.Parse(line);
            var root = json.RootElement;
            var step = root.GetProperty("step").GetInt64();
            if (root.GetProperty("type").GetString() == "train")
            {
                loss.Add((step, Value(root.GetProperty("loss"))));
                lr.Add((step, Value(root.GetProperty("lr"))));
            }
            else
            {
                var target = root.GetProperty("target").GetString() ?? "";
                if (!accuracy.TryGetValue(target, out var points))
                {
                    accuracy[target] = points = [];
                    targets.Add(target);
                }
                points.Add((step, Value(root.GetProperty("accuracy"))));
            }
        }
        return new TrainingSeries(LastPerStep(loss), LastPerStep(lr), targets.Select(t => (t, LastPerStep(accuracy[t]))).ToArray());
    }

    /// <summary>
    /// The points in step order, each step once with the value logged last for it; a step whose last value is
    /// null is left out.
    /// </summary>
    internal static IReadOnlyList<(long Step, double Value)> LastPerStep(IEnumerable<(long Step, double? Value)> logged)
    {
        var last = new SortedDictionary<long, double?>();
        foreach (var (step, value) in logged) last[step] = value;
        return last.Where(p => p.Value.HasValue).Select(p => (p.Key, p.Value!.Value)).ToArray();
    }

    private static double? Value(JsonElement value) => value.ValueKind == JsonValueKind.Null ? null : value.GetDouble();
}

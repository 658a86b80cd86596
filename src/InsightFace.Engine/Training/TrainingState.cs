using System.Text.Json;

namespace InsightFace.Engine.Training;

/// <summary>
/// trainer.json: where a resumable checkpoint stands. The next batch to train is (Epoch, Batch); everything random
/// after it is derived from the seed and these counters, so a resumed run repeats the uninterrupted one exactly.
/// </summary>
internal sealed record TrainingState
{
    public const string FileName = "trainer.json";

    public int Epoch { get; init; }
    public long Batch { get; init; }
    public long GlobalStep { get; init; }
    public int WorldSize { get; init; } = 1;
    // batch_size × processes when it was saved: Batch and GlobalStep count steps of that size. Null in checkpoints
    // written before it was recorded (by one process).
    public long? TotalBatchSize { get; init; }
    public int NumClasses { get; init; }
    public string Network { get; init; } = "";
    public int EmbeddingSize { get; init; }
    public string ConfigHash { get; init; } = "";
    // What the optimizer state was saved for; null in checkpoints written before they were recorded.
    public string? Optimizer { get; init; }
    public bool? DenseCentreUpdate { get; init; }
    public double BestAccuracy { get; init; } = double.NaN;
    public long SkippedBatches { get; init; }

    private static readonly JsonSerializerOptions Json = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    public static TrainingState Read(string folder) =>
        JsonSerializer.Deserialize<TrainingState>(File.ReadAllText(Path.Combine(folder, FileName)), Json)
        ?? throw new JsonException($"{folder}: empty {FileName}");

    public void Write(string folder) => File.WriteAllText(Path.Combine(folder, FileName), JsonSerializer.Serialize(this, Json));
}

using System.Text.Json;
using System.Text.Json.Serialization;

namespace InsightFace.Engine.Checkpoints;

/// <summary>
/// checkpoint.json: what a checkpoint folder holds and how it was made. The backbone itself is model.pt, a PyTorch
/// state dict with arcface_torch's keys, so torch.load and arcface_torch's own scripts read it as they are.
/// </summary>
public sealed record CheckpointManifest
{
    /// <summary>The manifest's file name inside a checkpoint folder.</summary>
    public const string FileName = "checkpoint.json";

    /// <summary>The backbone weights' file name inside a checkpoint folder.</summary>
    public const string ModelFileName = "model.pt";

    /// <summary>Backbone name from the registry (r50, mbf, ...).</summary>
    public required string Network { get; init; }
    /// <summary>Embedding dimension.</summary>
    public required int EmbeddingSize { get; init; }
    /// <summary>Epochs completed when it was written.</summary>
    public int Epoch { get; init; }
    /// <summary>Optimizer steps completed when it was written.</summary>
    public long GlobalStep { get; init; }
    /// <summary>Running loss average at that point, when trained here.</summary>
    public double? Loss { get; init; }
    /// <summary>Identities of the classification head.</summary>
    public int? NumClasses { get; init; }
    /// <summary>Processes that trained it (head shards are per process).</summary>
    public int WorldSize { get; init; } = 1;
    /// <summary>The head shard files of a resumable checkpoint, one per process in rank order; resume re-shards them when the number of processes changes.</summary>
    public IReadOnlyList<string> HeadShards { get; init; } = Array.Empty<string>();
    /// <summary>Hash of the resolved config, to refuse resuming a different run.</summary>
    public string? ConfigHash { get; init; }
    /// <summary>True when the optimizer, head and loader state needed by resume are present.</summary>
    public bool Resumable { get; init; }
    /// <summary>Why it was written: epoch, interrupt, final, import.</summary>
    public string Reason { get; init; } = "epoch";
    /// <summary>Where the weights came from, for imports (an MXNet or PyTorch file).</summary>
    public string? Source { get; init; }
    /// <summary>The dataset it was trained on: its path, or a synthetic set's description.</summary>
    public string? Dataset { get; init; }
    /// <summary>
    /// The training dataset's folder and the folders of its verification sets, where Test-FaceVerification looks
    /// up a target given by name (lfw finds lfw.bin beside the training data, as arcface_torch's val_targets do).
    /// </summary>
    public IReadOnlyList<string> DataFolders { get; init; } = Array.Empty<string>();
    /// <summary>Versions of the module, TorchSharp and libtorch that wrote it.</summary>
    public Dictionary<string, string> Versions { get; init; } = new();
    /// <summary>When it was written (UTC).</summary>
    public DateTimeOffset Created { get; init; } = DateTimeOffset.UtcNow;

    private static readonly JsonSerializerOptions Json = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    /// <summary>Reads a manifest file.</summary>
    public static CheckpointManifest Read(string path)
    {
        try
        {
            return JsonSerializer.Deserialize<CheckpointManifest>(File.ReadAllText(path), Json)
                   ?? throw new JsonException("the file is empty");
        }
        catch (JsonException e)
        {
            throw new CheckpointException(ErrorIds.CheckpointInvalid, path, $"{path}: not a valid checkpoint manifest: {e.Message}", e);
        }
    }

    /// <summary>Writes the manifest into <paramref name="folder"/>.</summary>
    public void Write(string folder) => File.WriteAllText(System.IO.Path.Combine(folder, FileName), JsonSerializer.Serialize(this, Json));
}

using InsightFace.Engine.Checkpoints;

namespace InsightFace;

/// <summary>A checkpoint: a folder with checkpoint.json and model.pt (arcface_torch's state dict keys).</summary>
public sealed class FaceCheckpoint
{
    /// <summary>The checkpoint folder; binds -Checkpoint of the next command by property name.</summary>
    public string CheckpointPath { get; set; } = "";
    /// <summary>Backbone name (r50, mbf, ...).</summary>
    public string Network { get; set; } = "";
    /// <summary>Embedding dimension.</summary>
    public int EmbeddingSize { get; set; }
    /// <summary>Epochs completed.</summary>
    public int Epoch { get; set; }
    /// <summary>Optimizer steps completed.</summary>
    public long GlobalStep { get; set; }
    /// <summary>Running loss average when it was written, if trained here.</summary>
    public double? Loss { get; set; }
    /// <summary>Identities of the classification head, if known.</summary>
    public int? NumClasses { get; set; }
    /// <summary>True when it holds what -Resume needs.</summary>
    public bool Resumable { get; set; }
    /// <summary>Why it was written: epoch, interrupt, final or import.</summary>
    public string Reason { get; set; } = "";
    /// <summary>When it was written.</summary>
    public DateTimeOffset Created { get; set; }
    /// <summary>The dataset it was trained on (its path, or a synthetic set's description); empty for imports.</summary>
    public string Dataset { get; set; } = "";
    /// <summary>The latest verification results recorded with it.</summary>
    public VerificationResult[] Verification { get; set; } = Array.Empty<VerificationResult>();

    internal static FaceCheckpoint From(CheckpointInfo info) => new()
    {
        CheckpointPath = info.Folder,
        Network = info.Manifest.Network,
        EmbeddingSize = info.Manifest.EmbeddingSize,
        Epoch = info.Manifest.Epoch,
        GlobalStep = info.Manifest.GlobalStep,
        Loss = info.Manifest.Loss,
        NumClasses = info.Manifest.NumClasses,
        Resumable = info.Manifest.Resumable,
        Reason = info.Manifest.Reason,
        Created = info.Manifest.Created,
        Dataset = info.Manifest.Dataset ?? "",
    };
}

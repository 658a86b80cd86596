using System.Management.Automation;
using InsightFace.Engine.Checkpoints;
using InsightFace.Engine.Export;

namespace InsightFace.PowerShell.Commands;

/// <summary>Creates a checkpoint of an untrained backbone, initialised as arcface_torch initialises it.</summary>
/// <remarks>
/// <para>New-FaceCheckpoint builds a network from the registry (r18, r34, r50, r100, r200, mbf, mbf_large), seeds
/// its initialisation, and writes it as a checkpoint folder: checkpoint.json and model.pt, a PyTorch state dict with
/// arcface_torch's keys. Use it as a baseline for Test-FaceVerification (chance-level accuracy is the floor any
/// training must beat), to try Export-FaceOnnx, or to check a deployment pipeline before a model is trained.</para>
/// <para>The same seed gives the same weights. An existing output folder is replaced only with -Force.</para>
/// </remarks>
/// <example>
/// <code>New-FaceCheckpoint -Network mbf -EmbeddingSize 128 -OutputPath ./baseline</code>
/// <para>Writes an initialised MobileFaceNet with 128-dimensional embeddings to ./baseline.</para>
/// </example>
/// <example>
/// <code>New-FaceCheckpoint -Network r50 -OutputPath ./r50-init -Seed 1 -WhatIf</code>
/// <para>Shows what would be written without writing it.</para>
/// </example>
[Cmdlet(VerbsCommon.New, "FaceCheckpoint", SupportsShouldProcess = true)]
[OutputType(typeof(FaceCheckpoint))]
public sealed class NewFaceCheckpointCommand : InsightFaceCmdlet
{
    /// <summary>The backbone: r18, r34, r50, r100, r200, mbf or mbf_large.</summary>
    [Parameter(Mandatory = true, Position = 0)]
    [ValidateSet("r18", "r34", "r50", "r100", "r200", "mbf", "mbf_large", "fmobilefacenet")]
    public string Network { get; set; } = "";

    /// <summary>The checkpoint folder to write. Missing folders above it are created.</summary>
    [Parameter(Mandatory = true, Position = 1)]
    public string OutputPath { get; set; } = "";

    /// <summary>Embedding dimension (512 by default, as in arcface_torch).</summary>
    [Parameter]
    [ValidateRange(1, 65536)]
    public int EmbeddingSize { get; set; } = 512;

    /// <summary>Seed of the initialisation (2048 by default, arcface_torch's seed).</summary>
    [Parameter]
    public long Seed { get; set; } = 2048;

    /// <summary>Replace an existing output folder.</summary>
    [Parameter]
    public SwitchParameter Force { get; set; }

    /// <inheritdoc />
    protected override void EndProcessing()
    {
        var output = ResolveOutputPath(OutputPath);
        if (!ShouldProcess(output, $"Write an initialised {Network} (embedding {EmbeddingSize}, seed {Seed})")) return;
        StopOnErrors(output, () => WriteObject(FaceCheckpoint.From(CheckpointModel.CreateInitial(output, Network, EmbeddingSize, Seed, Force))));
    }
}

using System.Management.Automation;
using InsightFace.Engine.Checkpoints;

namespace InsightFace.PowerShell.Commands;

/// <summary>Opens a checkpoint, or the checkpoints of a training run folder.</summary>
/// <remarks>
/// <para>A checkpoint is a folder holding checkpoint.json (network, embedding size, epoch, global step, loss and
/// versions) and model.pt, the backbone's state dict with arcface_torch's key names, which PyTorch's torch.load
/// reads as it is. Start-FaceTraining writes one per epoch (and one on Ctrl+C) under the run folder's checkpoints/
/// folder and copies the newest to the run folder itself, as arcface_torch writes output/model.pt.</para>
/// <para>Given a run folder, Get-FaceCheckpoint returns its newest checkpoint, or all of them, oldest first, with
/// -All. Given a checkpoint folder, or its checkpoint.json or model.pt, it returns that checkpoint. The
/// FaceCheckpoint objects it writes pipe into Test-FaceVerification and Export-FaceOnnx.</para>
/// </remarks>
/// <example>
/// <code>Get-FaceCheckpoint -Path work_dirs/ms1mv3_r50</code>
/// <para>Returns the newest checkpoint of the run folder work_dirs/ms1mv3_r50.</para>
/// </example>
/// <example>
/// <code>Get-FaceCheckpoint -Path work_dirs/ms1mv3_r50 -All | Select-Object Epoch, GlobalStep, Loss</code>
/// <para>Lists every checkpoint the run kept, oldest first.</para>
/// </example>
[Cmdlet(VerbsCommon.Get, "FaceCheckpoint")]
[OutputType(typeof(FaceCheckpoint))]
public sealed class GetFaceCheckpointCommand : InsightFaceCmdlet
{
    /// <summary>A run folder, a checkpoint folder, or a checkpoint.json or model.pt file. Wildcards are allowed.</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [Alias("CheckpointPath", "PSPath")]
    [SupportsWildcards]
    public string[] Path { get; set; } = Array.Empty<string>();

    /// <summary>Return every checkpoint of a run folder, oldest first, instead of the newest.</summary>
    [Parameter]
    public SwitchParameter All { get; set; }

    /// <inheritdoc />
    protected override void ProcessRecord()
    {
        foreach (var pattern in Path)
        foreach (var path in ResolveInputPaths(pattern, literal: false))
            ReportErrors(path, () =>
            {
                var checkpoints = All ? CheckpointStore.List(path) : new[] { CheckpointStore.Open(path) };
                if (All && checkpoints.Count == 0) checkpoints = new[] { CheckpointStore.Open(path) };
                foreach (var checkpoint in checkpoints) WriteObject(FaceCheckpoint.From(checkpoint));
            });
    }
}

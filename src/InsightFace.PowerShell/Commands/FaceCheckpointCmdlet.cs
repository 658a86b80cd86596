using System.Management.Automation;

namespace InsightFace.PowerShell.Commands;

/// <summary>
/// The base of cmdlets that take a checkpoint, so that all of them bind one the same way: a FaceCheckpoint from the
/// pipeline (-Checkpoint), or any object with a CheckpointPath property (-CheckpointPath by property name). The
/// second way is how a checkpoint comes back from Start-Job, Import-Clixml or ConvertFrom-Json: as a property bag,
/// not a FaceCheckpoint.
/// </summary>
public abstract class FaceCheckpointCmdlet : InsightFaceCmdlet
{
    /// <summary>Parameter set of a FaceCheckpoint object.</summary>
    protected const string CheckpointSet = "Checkpoint";

    /// <summary>Parameter set of a checkpoint path.</summary>
    protected const string CheckpointPathSet = "CheckpointPath";

    /// <summary>A checkpoint from Get-FaceCheckpoint, New-FaceCheckpoint, Import-FaceModel or Start-FaceTraining.</summary>
    [Parameter(Mandatory = true, ValueFromPipeline = true, ParameterSetName = CheckpointSet)]
    public FaceCheckpoint? Checkpoint { get; set; }

    /// <summary>
    /// A checkpoint folder (or its checkpoint.json or model.pt), or a run folder for its newest checkpoint. Binds by
    /// property name, so that checkpoints back from Start-Job or Import-Clixml pipe in.
    /// </summary>
    [Parameter(Mandatory = true, ValueFromPipelineByPropertyName = true, ParameterSetName = CheckpointPathSet)]
    public string CheckpointPath { get; set; } = "";

    /// <summary>The checkpoint bound for the current record, as given (not resolved yet).</summary>
    protected string CheckpointSource => Checkpoint?.CheckpointPath ?? CheckpointPath;
}

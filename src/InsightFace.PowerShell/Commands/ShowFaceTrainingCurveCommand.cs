using System.Management.Automation;
using InsightFace.Engine.Training.Plotting;

namespace InsightFace.PowerShell.Commands;

/// <summary>Draws a training run's loss, learning rate and verification accuracy as a PNG.</summary>
/// <remarks>
/// <para>Show-FaceTrainingCurve reads the run folder's metrics.jsonl (written by Start-FaceTraining every frequent
/// steps and at every verification) and draws three panels against the global step: the loss, the learning rate and
/// the accuracy of each verification target, with a dot on each point of a sparse series. A step logged twice (a run
/// resumed from a checkpoint before it trains the step again) is drawn once, with the later value. Give it a run
/// folder, a checkpoint folder inside one, or a FaceCheckpoint from the pipeline. It writes training_curve.png in the
/// run folder unless -OutputPath says otherwise, and returns the file. An existing file is replaced only with
/// -Force.</para>
/// </remarks>
/// <example>
/// <code>Show-FaceTrainingCurve -Path work_dirs/synthetic</code>
/// <para>Writes work_dirs/synthetic/training_curve.png.</para>
/// </example>
/// <example>
/// <code>Get-FaceCheckpoint work_dirs/synthetic | Show-FaceTrainingCurve -OutputPath curve.png -Force</code>
/// <para>Plots the run the checkpoint belongs to into curve.png, replacing it if it exists.</para>
/// </example>
[Cmdlet(VerbsCommon.Show, "FaceTrainingCurve", SupportsShouldProcess = true)]
[OutputType(typeof(FileInfo))]
public sealed class ShowFaceTrainingCurveCommand : InsightFaceCmdlet
{
    /// <summary>A run folder, or a checkpoint folder inside one.</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
    [Alias("CheckpointPath", "RunPath")]
    public string Path { get; set; } = "";

    /// <summary>The PNG to write; training_curve.png in the run folder by default. Missing folders are created.</summary>
    [Parameter]
    public string? OutputPath { get; set; }

    /// <summary>Replace an existing PNG.</summary>
    [Parameter]
    public SwitchParameter Force { get; set; }

    /// <inheritdoc />
    protected override void ProcessRecord()
    {
        ReportErrors(Path, () =>
        {
            var metrics = TrainingCurvePlot.FindMetrics(ResolveInputPath(Path));
            var output = OutputPath is null
                ? System.IO.Path.Combine(System.IO.Path.GetDirectoryName(metrics)!, "training_curve.png")
                : ResolveOutputPath(OutputPath);
            if (!ShouldProcess(output, $"Plot {metrics}")) return;
            TrainingCurvePlot.Save(metrics, output, Force);
            WriteFileItem(output);
        });
    }
}

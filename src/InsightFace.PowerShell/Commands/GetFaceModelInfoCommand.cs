using System.Management.Automation;
using InsightFace.Engine.Checkpoints;
using InsightFace.Engine.Import;

namespace InsightFace.PowerShell.Commands;

/// <summary>Lists the arrays stored in an MXNet .params file or a PyTorch state dict, without mapping them.</summary>
/// <remarks>
/// <para>Get-FaceModelInfo reads any MXNet NDArray list (model-NNNN.params: V1, V2, V3 or the legacy encoding) or
/// PyTorch torch.save state dict (.pth, .pt; zip or legacy format) and writes one object per array: its name (MXNet
/// arrays keep their arg: or aux: prefix; PyTorch keys as stored), shape, element type and element count, in file
/// order. The kind of file is told by its content, not its extension. Nothing is mapped to a network, so it works
/// on models Import-FaceModel cannot import, and shows why a strict import failed. A checkpoint folder, or a
/// checkpoint from the pipeline, lists its model.pt.</para>
/// <para>A malformed file writes an error that names the byte offset (MXNet) or the entry (PyTorch) where reading
/// stopped, and the next file is read.</para>
/// </remarks>
/// <example>
/// <code>Get-FaceModelInfo -Path model-r100-ii/model-0000.params | Select-Object -First 5</code>
/// <para>Shows the first arrays of an MXNet model with their shapes.</para>
/// </example>
/// <example>
/// <code>Get-FaceCheckpoint work_dirs/r50 | Get-FaceModelInfo | Where-Object Name -like 'features*'</code>
/// <para>Lists the arrays of the newest checkpoint's model.pt whose names begin with features.</para>
/// </example>
/// <example>
/// <code>Get-FaceModelInfo -Path backbone.pth | Measure-Object -Property Elements -Sum</code>
/// <para>Counts the elements of an arcface_torch state dict, BatchNorm statistics included.</para>
/// </example>
[Cmdlet(VerbsCommon.Get, "FaceModelInfo")]
[OutputType(typeof(FaceModelArray))]
public sealed class GetFaceModelInfoCommand : InsightFaceCmdlet
{
    /// <summary>
    /// MXNet .params or PyTorch .pth/.pt files, or checkpoint folders (their model.pt). Wildcards are allowed. Binds a
    /// checkpoint's CheckpointPath by property name.
    /// </summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [Alias("PSPath", "FullName", "CheckpointPath")]
    [SupportsWildcards]
    public string[] Path { get; set; } = Array.Empty<string>();

    /// <inheritdoc />
    protected override void ProcessRecord()
    {
        foreach (var pattern in Path)
        foreach (var path in ResolveInputPaths(pattern, literal: false))
            ReportErrors(path, () =>
            {
                var file = Directory.Exists(path) ? CheckpointStore.Open(path).ModelPath : path;
                foreach (var array in ModelArrayInfo.List(file)) WriteObject(FaceModelArray.From(array, file));
            });
    }
}

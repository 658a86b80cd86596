using System.Management.Automation;
using InsightFace.Engine.Data;
using InsightFace.Engine.Data.RecordIO;

namespace InsightFace.PowerShell.Commands;

/// <summary>Writes a face dataset as train.rec, train.idx and property in InsightFace's MXNet RecordIO layout.</summary>
/// <remarks>
/// <para>ConvertTo-FaceRecordIO writes what InsightFace's face2rec2.py writes and arcface_torch's MXFaceDataset
/// reads: image records keys 1..N (each an IRHeader with flag 2 and labels [label, 1], then the original image bytes,
/// never re-encoded), the header record key 0 and one identity record per class. The source must be sorted by label,
/// as an image folder (one sub-folder per identity) or an InsightFace RecordIO set is. The source's *.bin verification
/// sets are copied beside the files.</para>
/// <para>The files are written into a hidden staging folder (.staging-ID), flushed to disk and moved into place
/// only when all are complete, train.idx last (an old train.idx is removed first), so Ctrl+C, a full disk or a crash
/// never leaves a train.rec beside an index of another. An existing train.rec or train.idx is replaced only with
/// -Force. A record that cannot be read or decoded is skipped with a non-terminating error. Unaligned photos are
/// aligned to ArcFace's 112x112 template with -LandmarksPath.</para>
/// </remarks>
/// <example>
/// <code>Get-FaceDataset ./my_faces | ConvertTo-FaceRecordIO -OutputPath ./my_faces_rec</code>
/// <para>Turns a folder of aligned crops, one sub-folder per person, into train.rec, train.idx and property.</para>
/// </example>
/// <example>
/// <code>ConvertTo-FaceRecordIO -Dataset ./photos -LandmarksPath ./photos/landmarks.txt -OutputPath ./aligned_rec</code>
/// <para>Aligns unaligned photos with their 5-point landmarks and writes them as a RecordIO dataset.</para>
/// </example>
[Cmdlet(VerbsData.ConvertTo, "FaceRecordIO", SupportsShouldProcess = true)]
[OutputType(typeof(FaceDataset))]
public sealed class ConvertToFaceRecordIOCommand : InsightFaceCmdlet
{
    /// <summary>The dataset, sorted by label: a FaceDataset from Get-FaceDataset, or a dataset path (binds DatasetPath and FullName by property name).</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [Alias("DatasetPath", "FullName")]
    public FaceDataset Dataset { get; set; } = new();

    /// <summary>The output folder; created (with the folders above it) when missing, and removed again if the conversion fails.</summary>
    [Parameter(Mandatory = true, Position = 1)]
    public string OutputPath { get; set; } = "";

    /// <summary>A landmarks file (an image path and 10 numbers per line) to align unaligned photos to 112x112 ArcFace crops.</summary>
    [Parameter]
    public string? LandmarksPath { get; set; }

    /// <summary>Replace an existing train.rec and train.idx in the output folder, or write beside other files there (they are kept).</summary>
    [Parameter]
    public SwitchParameter Force { get; set; }

    /// <inheritdoc />
    protected override void ProcessRecord()
    {
        var source = Dataset.IsSynthetic ? Dataset.DatasetPath : ResolveInputPath(Dataset.DatasetPath, literal: true);
        var landmarks = LandmarksPath is null ? null : ResolveInputPath(LandmarksPath, literal: true);
        var output = ResolveOutputPath(OutputPath);
        if (!ShouldProcess(output, $"Write {source} as train.rec, train.idx and property")) return;

        var conversion = new DatasetConversion(this, $"ConvertTo-FaceRecordIO {output}");
        StopOnErrors(source, () => conversion.Run(Dataset, source, landmarks, DatasetFormat.RecordIO,
            dataset => FaceRecordIOWriter.Write(dataset, output, Force, conversion, conversion.Skip, StopToken)));
    }
}

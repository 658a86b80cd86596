using System.Management.Automation;
using InsightFace.Engine.Data;
using InsightFace.Engine.Data.OFRecord;

namespace InsightFace.PowerShell.Commands;

/// <summary>Writes a face dataset as shuffled OneFlow OFRecord parts, a complete dataset folder OneFlow reads as it is.</summary>
/// <remarks>
/// <para>ConvertTo-OFRecord writes OneFlow's exact layout: part-00000, part-00001 … (the suffix length is
/// configurable), each a sequence of records framed by an int64 little-endian length, each record a serialized
/// OFRecord with encoded (the original JPEG or PNG bytes, never re-encoded) and label (int32). The records are
/// shuffled with a seed (the same seed and source give byte-identical parts) and spread evenly over the parts. The
/// source's *.bin verification sets and its property file are copied beside the parts, and _SUCCESS is written last.</para>
/// <para>Parts are written into a hidden staging folder (.staging-ID), flushed to disk and moved into place only
/// when all are complete, _SUCCESS last: Ctrl+C, a full disk or any other failure leaves no _SUCCESS and no part. A
/// folder that already holds a dataset is replaced only with -Force, and a folder that holds other files is written
/// into only with -Force (they are kept). More parts than records are written as asked, the surplus ones empty,
/// with a warning. A record that cannot be read or decoded is skipped with a non-terminating error, and a warning
/// gives the count at the end. Unaligned photos are aligned to ArcFace's 112x112 template with -LandmarksPath.</para>
/// </remarks>
/// <example>
/// <code>Get-FaceDataset datasets/faces_emore | ConvertTo-OFRecord -OutputPath faces_emore/ofrecord/train -Parts 16</code>
/// <para>Converts the MS1M RecordIO dataset into 16 shuffled OFRecord parts, with its .bin sets beside them.</para>
/// </example>
/// <example>
/// <code>ConvertTo-OFRecord -Dataset ./my_faces -OutputPath ./my_faces_ofrecord -Parts 4 -Seed 7 -WhatIf</code>
/// <para>Shows what would be written for an image folder without writing anything.</para>
/// </example>
[Cmdlet(VerbsData.ConvertTo, "OFRecord", SupportsShouldProcess = true)]
[OutputType(typeof(FaceDataset))]
public sealed class ConvertToOFRecordCommand : InsightFaceCmdlet
{
    /// <summary>The dataset: a FaceDataset from Get-FaceDataset, or a dataset path (binds DatasetPath and FullName by property name).</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [Alias("DatasetPath", "FullName")]
    public FaceDataset Dataset { get; set; } = new();

    /// <summary>The output folder; created (with the folders above it) when missing, and removed again if the conversion fails.</summary>
    [Parameter(Mandatory = true, Position = 1)]
    public string OutputPath { get; set; } = "";

    /// <summary>The number of part files (16 by default); records are spread evenly over them.</summary>
    [Parameter]
    [ValidateRange(1, 100_000)]
    public int Parts { get; set; } = 16;

    /// <summary>Digits of the part number (5 by default: part-00000, as OneFlow's face loaders expect).</summary>
    [Parameter]
    [ValidateRange(1, 10)]
    public int SuffixLength { get; set; } = 5;

    /// <summary>Seed of the shuffle (0 by default); the same seed and source give byte-identical parts.</summary>
    [Parameter]
    public long Seed { get; set; }

    /// <summary>Keep the source's order instead of shuffling.</summary>
    [Parameter]
    public SwitchParameter NoShuffle { get; set; }

    /// <summary>A landmarks file (an image path and 10 numbers per line) to align unaligned photos to 112x112 ArcFace crops.</summary>
    [Parameter]
    public string? LandmarksPath { get; set; }

    /// <summary>Replace an OFRecord dataset (_SUCCESS or part-* files) already in the output folder, or write beside other files there (they are kept).</summary>
    [Parameter]
    public SwitchParameter Force { get; set; }

    /// <inheritdoc />
    protected override void ProcessRecord()
    {
        var source = Dataset.IsSynthetic ? Dataset.DatasetPath : ResolveInputPath(Dataset.DatasetPath, literal: true);
        var landmarks = LandmarksPath is null ? null : ResolveInputPath(LandmarksPath, literal: true);
        var output = ResolveOutputPath(OutputPath);
        var order = NoShuffle ? "in source order" : $"shuffled with seed {Seed}";
        if (!ShouldProcess(output, $"Write {source} as {Parts} OFRecord parts, {order}")) return;

        var options = new OFRecordWriteOptions { Parts = Parts, SuffixLength = SuffixLength, Shuffle = !NoShuffle, Seed = Seed, Force = Force };
        var conversion = new DatasetConversion(this, $"ConvertTo-OFRecord {output}");
        StopOnErrors(source, () => conversion.Run(Dataset, source, landmarks, DatasetFormat.OFRecord,
            dataset => OFRecordWriter.Write(dataset, output, options, conversion, conversion.Skip, StopToken)));
    }
}

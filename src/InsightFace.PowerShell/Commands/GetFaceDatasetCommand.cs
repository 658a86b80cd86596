using System.Management.Automation;
using InsightFace.Engine;
using InsightFace.Engine.Data;
using InsightFace.Engine.Data.OFRecord;
using InsightFace.Engine.Data.Synthetic;

namespace InsightFace.PowerShell.Commands;

/// <summary>Opens a face dataset and describes it: format, identities, images, image size, parts and validation sets.</summary>
/// <remarks>
/// <para>Get-FaceDataset reads the formats InsightFace users have: an MXNet RecordIO folder (train.rec, train.idx,
/// property and *.bin verification sets, as InsightFace distributes MS1M, Glint360K and WebFace), any .rec file (a
/// plain im2rec file too), a folder with one sub-folder of JPEG or PNG images per identity (labels follow the sorted
/// folder names), or OneFlow OFRecord parts (part-*); -ImageKey and -LabelKey read parts whose features have other
/// names than OneFlow's face converters give them (encoded and label). -Format skips the detection. Only index arrays are read, so
/// opening MS1M takes seconds; the class count reads every label when no property file gives it.</para>
/// <para>-Synthetic generates a learnable dataset instead: each class is a distinct face-like pattern and each image
/// a shifted, scaled, lit and noised JPEG of it at 112x112, rendered on demand from the seed. A synthetic dataset
/// has no folder, so -VerificationPairs writes its held-out pairs (from identities not in the set) to the .bin file
/// -OutputPath names; the FaceDataset lists that file in ValidationTargets, and ConvertTo-OFRecord or
/// ConvertTo-FaceRecordIO copy it beside the data they write, where training finds it as a val target.</para>
/// <para>The FaceDataset objects it writes pipe into ConvertTo-OFRecord and ConvertTo-FaceRecordIO.</para>
/// </remarks>
/// <example>
/// <code>Get-FaceDataset datasets/faces_emore</code>
/// <para>Describes the RecordIO dataset in datasets/faces_emore: classes, images, image size and its .bin sets.</para>
/// </example>
/// <example>
/// <code>Get-ChildItem -Recurse -Filter *.rec | Get-FaceDataset</code>
/// <para>Describes every .rec file under the current folder.</para>
/// </example>
/// <example>
/// <code>Get-FaceDataset exported/parts -ImageKey image_raw -LabelKey identity | ConvertTo-OFRecord -OutputPath ofrecord -Parts 16</code>
/// <para>Reads OFRecord parts whose features are named image_raw and identity, and rewrites them with OneFlow's face feature names.</para>
/// </example>
/// <example>
/// <code>Get-FaceDataset -Synthetic -Classes 200 -ImagesPerClass 20 -Seed 1 -VerificationPairs 600 -OutputPath synthetic.bin | ConvertTo-OFRecord -OutputPath synthetic -Parts 4</code>
/// <para>Generates 4,000 synthetic faces with a .bin of 600 held-out pairs and writes them as a complete OFRecord dataset folder.</para>
/// </example>
[Cmdlet(VerbsCommon.Get, "FaceDataset", DefaultParameterSetName = PathSet, SupportsShouldProcess = true)]
[Alias("Get-Dataset")]
[OutputType(typeof(FaceDataset))]
public sealed class GetFaceDatasetCommand : InsightFaceCmdlet
{
    private const string PathSet = "Path";
    private const string LiteralPathSet = "LiteralPath";
    private const string SyntheticSet = "Synthetic";

    /// <summary>A dataset folder, a .rec or .idx file, or an OFRecord part file. Wildcards are allowed; binds FullName from Get-ChildItem.</summary>
    [Parameter(Mandatory = true, Position = 0, ParameterSetName = PathSet, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [Alias("FullName", "PSPath")]
    [SupportsWildcards]
    public string[] Path { get; set; } = Array.Empty<string>();

    /// <summary>A dataset folder or file, used exactly as written (no wildcards).</summary>
    [Parameter(Mandatory = true, ParameterSetName = LiteralPathSet)]
    public string[] LiteralPath { get; set; } = Array.Empty<string>();

    /// <summary>The format to read: Auto (detect; the default), RecordIO, ImageFolder or OFRecord.</summary>
    [Parameter(ParameterSetName = PathSet)]
    [Parameter(ParameterSetName = LiteralPathSet)]
    [ValidateSet("Auto", "RecordIO", "ImageFolder", "OFRecord")]
    public string Format { get; set; } = "Auto";

    /// <summary>The OFRecord feature that holds the encoded image, for parts written with other names than OneFlow's (encoded).</summary>
    [Parameter(ParameterSetName = PathSet)]
    [Parameter(ParameterSetName = LiteralPathSet)]
    [ValidateNotNullOrEmpty]
    public string ImageKey { get; set; } = OFRecordDataset.DefaultImageKey;

    /// <summary>The OFRecord feature that holds the label (int32 or int64), for parts written with other names than OneFlow's (label).</summary>
    [Parameter(ParameterSetName = PathSet)]
    [Parameter(ParameterSetName = LiteralPathSet)]
    [ValidateNotNullOrEmpty]
    public string LabelKey { get; set; } = OFRecordDataset.DefaultLabelKey;

    /// <summary>Generate a learnable synthetic dataset instead of reading one.</summary>
    [Parameter(Mandatory = true, ParameterSetName = SyntheticSet)]
    public SwitchParameter Synthetic { get; set; }

    /// <summary>Identities of the synthetic dataset.</summary>
    [Parameter(Mandatory = true, ParameterSetName = SyntheticSet)]
    [ValidateRange(1, 10_000_000)]
    public int Classes { get; set; }

    /// <summary>Images per identity of the synthetic dataset.</summary>
    [Parameter(Mandatory = true, ParameterSetName = SyntheticSet)]
    [ValidateRange(1, 100_000)]
    public int ImagesPerClass { get; set; }

    /// <summary>Seed of the synthetic dataset: the same seed gives the same images (0 by default).</summary>
    [Parameter(ParameterSetName = SyntheticSet)]
    public long Seed { get; set; }

    /// <summary>Also write this many verification pairs from identities not in the synthetic set, as a .bin at -OutputPath.</summary>
    [Parameter(ParameterSetName = SyntheticSet)]
    [ValidateRange(1, 1_000_000)]
    public int VerificationPairs { get; set; }

    /// <summary>The .bin file -VerificationPairs writes (for example synthetic.bin); its name becomes the val target's name.</summary>
    [Parameter(ParameterSetName = SyntheticSet)]
    public string? OutputPath { get; set; }

    /// <summary>Replace an existing -OutputPath file.</summary>
    [Parameter(ParameterSetName = SyntheticSet)]
    public SwitchParameter Force { get; set; }

    /// <inheritdoc />
    protected override void ProcessRecord()
    {
        if (ParameterSetName == SyntheticSet)
        {
            WriteSynthetic();
            return;
        }
        var literal = ParameterSetName == LiteralPathSet;
        foreach (var pattern in literal ? LiteralPath : Path)
        foreach (var path in ResolveInputPaths(pattern, literal))
        {
            WriteVerbose($"Opening {path} as {Format}.");
            ReportErrors(path, () =>
            {
                using var dataset = DatasetOpener.Open(path, Enum.Parse<DatasetFormat>(Format), ImageKey, LabelKey);
                WriteObject(FaceDataset.From(DatasetSummary.Of(dataset)));
            });
        }
    }

    private void WriteSynthetic()
    {
        var dataset = new SyntheticFaceDataset(Classes, ImagesPerClass, Seed);
        if (VerificationPairs > 0 || OutputPath is not null)
        {
            if (VerificationPairs == 0 || OutputPath is null)
                ThrowTerminatingError(NewErrorRecord(ErrorIds.VerificationPairsNeedOutputPath,
                    new ArgumentException("-VerificationPairs and -OutputPath go together: the number of held-out pairs and the .bin file to write them to."),
                    OutputPath));
            var output = ResolveOutputPath(OutputPath!);
            if (!ShouldProcess(output, $"Write {VerificationPairs} held-out verification pairs")) return;
            WriteVerbose($"Writing {VerificationPairs} pairs from held-out identities to {output}.");
            StopOnErrors(output, () => dataset = dataset.WriteHeldOutBin(output, VerificationPairs, Force));
        }
        WriteObject(FaceDataset.From(DatasetSummary.Of(dataset)));
    }
}

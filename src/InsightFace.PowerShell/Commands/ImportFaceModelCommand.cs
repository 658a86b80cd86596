using System.Management.Automation;
using InsightFace.Engine.Import;

namespace InsightFace.PowerShell.Commands;

/// <summary>Turns an MXNet .params model or a PyTorch state dict into a checkpoint.</summary>
/// <remarks>
/// <para>Import-FaceModel reads weights trained elsewhere and writes them as a checkpoint folder (checkpoint.json
/// and model.pt) that Test-FaceVerification, Export-FaceOnnx and Start-FaceTraining use.</para>
/// <para>MXNet: give the model-NNNN.params file; its graph, model-symbol.json, is read from beside it (or from
/// -SymbolPath). InsightFace's fresnet (LResNet100E-IR, r50, r34, ...) becomes our r-series network, with the
/// layer correspondence checked node by node against the graph; the network and embedding size come from the
/// graph. MXNet's BatchNorm eps (2e-5) and fix_gamma, and the graph's own input scaling, are folded into the
/// weights, so the checkpoint computes what the MXNet model did on (x - 127.5)/127.5 RGB input. InsightFace's
/// fmobilefacenet is arcface_torch's MobileFaceNet at width scale 1 (our mbf is scale 2) and becomes the registry's
/// fmobilefacenet network.</para>
/// <para>PyTorch: give an arcface_torch backbone.pth or model.pt (torch.save of a state dict, zip or legacy
/// format) and -Network; the embedding size is read from the file. For arcface_torch's checkpoint_gpu_N.pt,
/// which holds several state dicts, add -Entry state_dict_backbone. Every key must be present with its shape:
/// otherwise StateDictMismatch lists the missing, extra and misshaped keys and nothing is written.
/// -Strict:$false loads the keys that fit, keeps the initial weights for the others, and warns with the list.</para>
/// <para>An existing output folder is replaced only with -Force; the checkpoint is built beside it and renamed into
/// place when complete.</para>
/// </remarks>
/// <example>
/// <code>Import-FaceModel -Path model-r100-ii/model-0000.params -OutputPath ./r100</code>
/// <para>Imports InsightFace's MXNet LResNet100E-IR as an r100 checkpoint.</para>
/// </example>
/// <example>
/// <code>Import-FaceModel -Path backbone.pth -Network r50 -OutputPath ./r50 | Export-FaceOnnx -OutputPath r50.onnx -Verify</code>
/// <para>Imports an arcface_torch r50 and exports it to ONNX, verified in ONNX Runtime.</para>
/// </example>
/// <example>
/// <code>Import-FaceModel -Path finetuned.pth -Network mbf -OutputPath ./mbf -Strict:$false -WarningVariable unfit</code>
/// <para>Loads what fits and lists the keys that did not in $unfit.</para>
/// </example>
[Cmdlet(VerbsData.Import, "FaceModel", SupportsShouldProcess = true)]
[OutputType(typeof(FaceCheckpoint))]
public sealed class ImportFaceModelCommand : InsightFaceCmdlet
{
    /// <summary>An MXNet model-NNNN.params file, or a PyTorch .pth/.pt state dict.</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
    [Alias("PSPath", "FullName")]
    public string Path { get; set; } = "";

    /// <summary>The checkpoint folder to write. Missing folders above it are created.</summary>
    [Parameter(Mandatory = true, Position = 1)]
    public string OutputPath { get; set; } = "";

    /// <summary>
    /// The backbone, a registry name (r18, r34, r50, r100, r200, mbf, mbf_large; Get-FaceBackbone lists them): required
    /// for a PyTorch file; for MXNet it is read from the graph.
    /// </summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? Network { get; set; }

    /// <summary>The embedding length, when it should not be read from the file (or, for MXNet, the graph).</summary>
    [Parameter]
    [ValidateRange(1, 65536)]
    public int EmbeddingSize { get; set; }

    /// <summary>The MXNet -symbol.json file, when it is not prefix-symbol.json beside the .params file.</summary>
    [Parameter]
    public string? SymbolPath { get; set; }

    /// <summary>For a PyTorch file holding a dict of state dicts, the entry to read (state_dict_backbone in arcface_torch's checkpoint_gpu_N.pt).</summary>
    [Parameter]
    public string? Entry { get; set; }

    /// <summary>Require every key with its shape (the default); -Strict:$false loads what fits and warns about the rest.</summary>
    [Parameter]
    public bool Strict { get; set; } = true;

    /// <summary>Replace an existing output folder.</summary>
    [Parameter]
    public SwitchParameter Force { get; set; }

    /// <inheritdoc />
    protected override void ProcessRecord()
    {
        var path = ResolveInputPath(Path);
        var symbol = SymbolPath is null ? null : ResolveInputPath(SymbolPath);
        var output = ResolveOutputPath(OutputPath);
        if (!ShouldProcess(output, $"Import {path} as a checkpoint")) return;
        ReportErrors(path, () =>
        {
            WriteVerbose($"Importing {path} into {output}.");
            int? embeddingSize = MyInvocation.BoundParameters.ContainsKey(nameof(EmbeddingSize)) ? EmbeddingSize : null;
            var import = FaceModelImporter.Import(path, output, Network, embeddingSize, Strict, Force, symbol, Entry);
            foreach (var note in import.Notes) WriteVerbose(note);
            if (!import.Report.IsComplete)
                WriteWarning($"{path}: loaded {import.Report.Loaded.Count} keys; these did not fit and keep their initial values:{import.Report.Describe()}");
            WriteObject(FaceCheckpoint.From(import.Checkpoint));
        });
    }
}

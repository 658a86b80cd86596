using System.Management.Automation;
using InsightFace.Engine.Checkpoints;
using InsightFace.Engine.Export.Onnx;

namespace InsightFace.PowerShell.Commands;

/// <summary>Writes a checkpoint's backbone as an ONNX model for ONNX Runtime, TensorRT or OpenCV dnn.</summary>
/// <remarks>
/// <para>Export-FaceOnnx writes the backbone of a checkpoint (r18 to r200, mbf, mbf_large) as an ONNX graph built
/// from the network's own layers: Conv (depthwise convs included), BatchNormalization, PRelu, Add, Flatten and
/// Gemm, with float32 weights and no Dropout. The model has one input, data, of shape [N, 3, 112, 112] with a
/// symbolic batch dimension N, so any batch size runs, and one output [N, E], the unnormalised embedding.</para>
/// <para>As arcface_torch's torch2onnx.py, the model contains no input normalisation: feed RGB images as
/// (pixel - 127.5) / 127.5. The model's doc_string and metadata (input_mean, input_std, input_channel_order,
/// network, embedding_size) say so. The default opset is 11; 11 to 17 can be chosen. -FoldBatchNorm folds every
/// BatchNorm that follows a conv into the conv's weights and bias.</para>
/// <para>-Verify runs the exported model in ONNX Runtime on random inputs, and on the images of -VerifyImagePath
/// if given, at batch 1 and batch 7, compares with the checkpoint run by TorchSharp in eval mode, and reports the
/// largest difference as MaxAbsDiff. A difference above 1e-4 of the output scale is an OnnxVerificationFailed
/// error, and then nothing is written. The output path is checked before any work: an existing file is replaced only
/// with -Force, missing folders are created (and removed again if the export fails), and a path through a file is an
/// OutputPathUnusable error. The file is written under a temporary name and renamed when complete. Without
/// -OutputPath the model is written as model.onnx in the checkpoint folder, as torch2onnx.py does.</para>
/// </remarks>
/// <example>
/// <code>Get-FaceCheckpoint -Path work_dirs/ms1mv3_r50 | Export-FaceOnnx -OutputPath r50.onnx -Verify</code>
/// <para>Exports the newest checkpoint of a run and checks it in ONNX Runtime; MaxAbsDiff shows the largest difference.</para>
/// </example>
/// <example>
/// <code>Export-FaceOnnx -CheckpointPath ./imported -OutputPath mbf.onnx -Opset 13 -FoldBatchNorm -Force</code>
/// <para>Exports a checkpoint folder at opset 13 with BatchNorms folded into the convs, replacing mbf.onnx if it exists.</para>
/// </example>
/// <example>
/// <code>Export-FaceOnnx -CheckpointPath ./r100 -OutputPath r100.onnx -VerifyImagePath faces/*.jpg</code>
/// <para>Exports and verifies on real face images as well as random inputs.</para>
/// </example>
[Cmdlet(VerbsData.Export, "FaceOnnx", SupportsShouldProcess = true, DefaultParameterSetName = CheckpointSet)]
[OutputType(typeof(FaceOnnxModel))]
public sealed class ExportFaceOnnxCommand : FaceCheckpointCmdlet
{
    /// <summary>The ONNX file to write; model.onnx in the checkpoint folder when not given. Missing folders are created.</summary>
    [Parameter(Position = 0)]
    public string? OutputPath { get; set; }

    /// <summary>The ONNX opset of the model: 11 (the default, as arcface_torch) to 17.</summary>
    [Parameter]
    [ValidateRange(OnnxGraphBuilder.MinOpset, OnnxGraphBuilder.MaxOpset)]
    public int Opset { get; set; } = OnnxGraphBuilder.DefaultOpset;

    /// <summary>Fold each BatchNorm that follows a conv into the conv's weights and bias.</summary>
    [Parameter]
    public SwitchParameter FoldBatchNorm { get; set; }

    /// <summary>Compare ONNX Runtime with TorchSharp at batch 1 and 7 before writing, and report MaxAbsDiff.</summary>
    [Parameter]
    public SwitchParameter Verify { get; set; }

    /// <summary>Face images (JPEG or PNG, resized to 112x112) to verify on besides random inputs; implies -Verify. Wildcards are allowed.</summary>
    [Parameter]
    [SupportsWildcards]
    public string[]? VerifyImagePath { get; set; }

    /// <summary>Replace an existing output file.</summary>
    [Parameter]
    public SwitchParameter Force { get; set; }

    private readonly List<byte[]> _verifyImages = new();

    /// <inheritdoc />
    protected override void BeginProcessing()
    {
        foreach (var pattern in VerifyImagePath ?? Array.Empty<string>())
            foreach (var image in ResolveInputPaths(pattern, literal: false))
                StopOnErrors(image, () => _verifyImages.Add(File.ReadAllBytes(image)));
    }

    /// <inheritdoc />
    protected override void ProcessRecord()
    {
        var source = ResolveInputPath(CheckpointSource);
        ReportErrors(source, () =>
        {
            var checkpoint = CheckpointStore.Open(source);
            var output = OutputPath is null ? System.IO.Path.Combine(checkpoint.Folder, "model.onnx") : ResolveOutputPath(OutputPath);
            if (!ShouldProcess(output, $"Export {checkpoint.Manifest.Network} from {checkpoint.Folder} as ONNX opset {Opset}")) return;
            var verify = Verify.IsPresent || _verifyImages.Count > 0;
            WriteVerbose($"Exporting {checkpoint.Folder} ({checkpoint.Manifest.Network}, embedding {checkpoint.Manifest.EmbeddingSize}) to {output}.");
            var export = FaceOnnxExporter.Export(checkpoint, output, Opset, FoldBatchNorm, verify, Force, _verifyImages, WriteVerbose);
            WriteObject(FaceOnnxModel.From(export, checkpoint.Folder));
        });
    }
}

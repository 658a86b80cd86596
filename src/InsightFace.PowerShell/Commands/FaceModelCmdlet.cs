using System.Management.Automation;
using InsightFace.Engine.Evaluation;
using ChannelOrderKind = InsightFace.Engine.Data.Imaging.ChannelOrder;

namespace InsightFace.PowerShell.Commands;

/// <summary>
/// The base of cmdlets that run a face model, a checkpoint or an ONNX file: the parameter sets and the options
/// that say how to feed the model.
/// </summary>
/// <remarks>
/// Derived cmdlets make <see cref="OnnxSet"/> their default parameter set. A FaceOnnxModel from Export-FaceOnnx has
/// both ModelPath and CheckpointPath, so it binds in two sets; PowerShell settles that tie on the default set, and
/// the ONNX model is the one the user piped.
/// </remarks>
public abstract class FaceModelCmdlet : FaceCheckpointCmdlet
{
    /// <summary>Parameter set of an ONNX model.</summary>
    protected const string OnnxSet = "Onnx";

    /// <summary>An ONNX model with input N x 3 x 112 x 112 (N dynamic or fixed) and a 2-D output. Binds by property name.</summary>
    [Parameter(Mandatory = true, ValueFromPipelineByPropertyName = true, ParameterSetName = OnnxSet)]
    public string ModelPath { get; set; } = "";

    /// <summary>ONNX models: the value subtracted from each pixel (127.5, or 0 for graphs that normalise their input).</summary>
    [Parameter(ParameterSetName = OnnxSet)]
    public float? InputMean { get; set; }

    /// <summary>ONNX models: the divisor after the mean (127.5, or 1 for graphs that normalise their input).</summary>
    [Parameter(ParameterSetName = OnnxSet)]
    public float? InputStd { get; set; }

    /// <summary>ONNX models: the channel order the model expects, RGB (InsightFace's models) or BGR.</summary>
    [Parameter(ParameterSetName = OnnxSet)]
    [ValidateSet("RGB", "BGR")]
    public string ChannelOrder { get; set; } = "RGB";

    /// <summary>Checkpoints: the device to run on, cpu (default), cuda or cuda:N. CUDA never falls back to the CPU.</summary>
    [Parameter(ParameterSetName = CheckpointSet)]
    [Parameter(ParameterSetName = CheckpointPathSet)]
    [ValidatePattern(@"^(cpu|cuda(:\d+)?)$")]
    public string Device { get; set; } = "cpu";

    /// <summary>The model bound for the current record, as given (not resolved yet): a checkpoint or an ONNX file.</summary>
    protected string ModelSource => ParameterSetName == OnnxSet ? ModelPath : CheckpointSource;

    // private protected: the engine's FaceModel must not appear in the module's public surface.
    private protected FaceModel OpenModel(string path) =>
        ParameterSetName == OnnxSet
            ? FaceModel.OpenOnnx(path, InputMean, InputStd, ChannelOrder == "BGR" ? ChannelOrderKind.Bgr : ChannelOrderKind.Rgb)
            : FaceModel.OpenCheckpoint(path, Device);
}

using InsightFace.Engine.Backbones;
using InsightFace.Engine.Checkpoints;
using InsightFace.Engine.Data.Imaging;
using InsightFace.Engine.Export.Onnx;
using InsightFace.Engine.Runtime;
using Microsoft.ML.OnnxRuntime;
using TorchSharp;
using static TorchSharp.torch;

namespace InsightFace.Engine.Evaluation;

/// <summary>
/// An embedding model opened for the cmdlets, which cannot name TorchSharp or ONNX Runtime types: a checkpoint's
/// backbone through TorchSharp, or an ONNX file through ONNX Runtime. Plain types in, plain types out.
/// </summary>
public sealed class FaceModel : IFaceEmbedder, IDisposable
{
    private readonly IFaceEmbedder _embedder;
    private readonly IDisposable _owned;

    private FaceModel(IFaceEmbedder embedder, IDisposable owned, string modelPath, string kind, IReadOnlyList<string>? dataFolders = null)
    {
        _embedder = embedder;
        _owned = owned;
        ModelPath = modelPath;
        Kind = kind;
        DataFolders = dataFolders ?? Array.Empty<string>();
    }

    /// <summary>The checkpoint folder or the ONNX file.</summary>
    public string ModelPath { get; }

    /// <summary>What runs the model: the network name of a checkpoint, or "onnx".</summary>
    public string Kind { get; }

    /// <summary>Where a checkpoint's training data and its verification sets were (none for ONNX models and imports).</summary>
    public IReadOnlyList<string> DataFolders { get; }

    /// <inheritdoc />
    public FaceImageTransform InputTransform => _embedder.InputTransform;

    /// <inheritdoc />
    public string Description => _embedder.Description;

    /// <summary>
    /// Opens a checkpoint (a run folder, checkpoint folder, checkpoint.json or model.pt) on <paramref name="device"/>
    /// (cpu, cuda or cuda:N). Throws <see cref="CheckpointException"/> (CheckpointNotFound, CheckpointInvalid,
    /// CheckpointIncompatible) or <see cref="DeviceUnavailableException"/>; CUDA never falls back to the CPU.
    /// On the CPU the backbone runs in ONNX Runtime, exported in memory as Export-FaceOnnx writes it; on CUDA in
    /// TorchSharp, in channels_last.
    /// </summary>
    public static FaceModel OpenCheckpoint(string checkpointPath, string device = "cpu")
    {
        var checkpoint = CheckpointStore.Open(checkpointPath);
        var target = DeviceSelector.Resolve(device);
        Backbone backbone = CheckpointModel.LoadBackbone(checkpoint, target);
        if (target.type == DeviceType.CPU)
        {
            // ONNX Runtime ran the verification protocol 3.5x (mbf) and 2.1x (r50) faster than libtorch on the same
            // checkpoint (bench/VerificationBench), to the exporter's 1e-6 parity, and with the PRelu nodes rewritten
            // (OnnxFaceEmbedder) about 2x (mbf) and 1.2-1.4x (r50) faster again (bench/OnnxBench), to float32
            // rounding. Its threads follow libtorch's count, so OMP_NUM_THREADS still decides.
            byte[] graph;
            using (backbone) graph = BackboneOnnxWriter.Write(backbone, checkpoint.Manifest.Network).ToBytes();
            var onnx = new OnnxFaceEmbedder(graph, checkpoint.Folder, FaceImageTransform.ArcFace, get_num_threads());
            return new FaceModel(onnx, onnx, checkpoint.Folder, checkpoint.Manifest.Network, checkpoint.Manifest.DataFolders);
        }
        // channels_last: the convolutions run without reordering every input and output (bench/BackboneBench).
        MemoryFormat.Apply(backbone, MemoryFormat.ChannelsLast);
        return new FaceModel(new TorchModuleEmbedder(backbone, checkpoint.Folder, target), backbone, checkpoint.Folder,
            checkpoint.Manifest.Network, checkpoint.Manifest.DataFolders);
    }

    /// <summary>
    /// Opens an ONNX model; a null <paramref name="inputMean"/> or <paramref name="inputStd"/> follows InsightFace's
    /// rule (0 and 1 when the graph begins with Sub and Mul, else 127.5). Throws <see cref="EvaluationException"/>
    /// when the file is not a model ONNX Runtime can load or its input or output has the wrong shape.
    /// </summary>
    public static FaceModel OpenOnnx(string modelPath, float? inputMean = null, float? inputStd = null,
        ChannelOrder channelOrder = ChannelOrder.Rgb)
    {
        OnnxFaceEmbedder onnx;
        try
        {
            // ONNX Runtime's own default ran one thread on a 2-core machine (1.6x slower): use libtorch's count.
            onnx = new OnnxFaceEmbedder(modelPath, new OnnxEmbedderOptions
            {
                InputMean = inputMean, InputStd = inputStd, ChannelOrder = channelOrder, IntraOpThreads = get_num_threads(),
            });
        }
        catch (OnnxRuntimeException e)
        {
            throw new EvaluationException(ErrorIds.OnnxModelInvalid,
                $"{Path.GetFullPath(modelPath)}: ONNX Runtime cannot load it as a model: {e.Message}", e);
        }
        return new FaceModel(onnx, onnx, onnx.ModelPath, "onnx");
    }

    /// <inheritdoc />
    public float[,] Embed(float[] images, int count) => _embedder.Embed(images, count);

    /// <summary>Releases the backbone's native tensors or the ONNX Runtime session.</summary>
    public void Dispose() => _owned.Dispose();
}

using System.Diagnostics;
using InsightFace.Engine.Checkpoints;
using InsightFace.Engine.Data.Imaging;
using InsightFace.Engine.Files;
using TorchSharp;

namespace InsightFace.Engine.Export.Onnx;

/// <summary>How an export went: what was written, and how closely ONNX Runtime reproduced TorchSharp when verified.</summary>
/// <param name="ModelPath">The ONNX file written.</param>
/// <param name="Network">The checkpoint's network.</param>
/// <param name="Opset">The default-domain opset of the model.</param>
/// <param name="EmbeddingSize">The output's length per image.</param>
/// <param name="FoldBatchNorm">Whether BatchNorms after convs were folded into them.</param>
/// <param name="Verification">The comparison with TorchSharp, or null when not asked for.</param>
/// <param name="ExportSeconds">Time to build the graph and serialise it, without verification.</param>
/// <param name="Bytes">Size of the file written.</param>
public sealed record FaceOnnxExport(
    string ModelPath, string Network, int Opset, int EmbeddingSize, bool FoldBatchNorm,
    OnnxVerification? Verification, double ExportSeconds, long Bytes);

/// <summary>
/// Export-FaceOnnx's one engine call: a checkpoint folder's backbone to an ONNX file, verified against TorchSharp
/// in ONNX Runtime before anything is written when asked.
/// </summary>
public static class FaceOnnxExporter
{
    /// <summary>
    /// Loads <paramref name="checkpoint"/>, writes its graph, and, with <paramref name="verify"/>, compares ONNX
    /// Runtime with TorchSharp on random inputs and on <paramref name="verifyImages"/> (encoded face images, any
    /// number) at batch 1 and 7. The output path is checked first and its missing folders created; the file is
    /// written only after a passing check, and a failure removes the folders it created.
    /// </summary>
    /// <exception cref="CheckpointException">The checkpoint's network cannot be built or its weights do not fit.</exception>
    /// <exception cref="OnnxVerificationException">ONNX Runtime differs from TorchSharp by more than the tolerance; nothing was written.</exception>
    /// <exception cref="OutputExistsException"><paramref name="outputPath"/> exists and <paramref name="overwrite"/> is false.</exception>
    /// <exception cref="OutputPathException">A folder of <paramref name="outputPath"/> cannot be created.</exception>
    public static FaceOnnxExport Export(
        CheckpointInfo checkpoint, string outputPath, int opset, bool foldBatchNorm, bool verify, bool overwrite,
        IReadOnlyList<byte[]>? verifyImages = null, Action<string>? log = null)
    {
        // The output is checked (and its folders made) before the export and its verification, which can take minutes.
        using var output = AtomicFile.Begin(outputPath, overwrite);
        using var backbone = CheckpointModel.LoadBackbone(checkpoint);
        var network = checkpoint.Manifest.Network;

        var clock = Stopwatch.StartNew();
        var bytes = BackboneOnnxWriter.Write(backbone, network, opset, foldBatchNorm).ToBytes();
        var seconds = clock.Elapsed.TotalSeconds;
        log?.Invoke($"Wrote the {network} graph (opset {opset}{(foldBatchNorm ? ", BatchNorm folded" : "")}): {bytes.Length:N0} bytes in {seconds:F2} s.");

        OnnxVerification? verification = null;
        if (verify)
        {
            var inputs = VerificationInputs(verifyImages ?? []);
            try
            {
                verification = OnnxVerifier.Compare(bytes, backbone.forward, inputs);
            }
            finally
            {
                foreach (var input in inputs) input.Dispose();
            }
            log?.Invoke($"ONNX Runtime vs TorchSharp over batches {string.Join(", ", verification.Batches)}: MaxAbsDiff {verification.MaxAbsDiff:G3} at output scale {verification.Scale:G3}.");
            verification.ThrowIfAbove(outputPath);
        }

        output.Commit(stream => stream.Write(bytes));
        return new FaceOnnxExport(Path.GetFullPath(outputPath), network, opset, (int)backbone.EmbeddingSize, foldBatchNorm, verification, seconds, bytes.Length);
    }

    /// <summary>
    /// Random inputs at batch 1 and 7, then, when there are images, the first image alone and seven images (repeated
    /// when fewer are given), normalised as arcface_torch normalises them.
    /// </summary>
    public static List<torch.Tensor> VerificationInputs(IReadOnlyList<byte[]> images)
    {
        var inputs = OnnxVerifier.RandomInputs([3, 112, 112], OnnxVerifier.DefaultBatches).ToList();
        if (images.Count == 0) return inputs;
        var decoder = new FaceImageDecoder();
        foreach (var batch in OnnxVerifier.DefaultBatches)
        {
            var chw = new float[batch * decoder.ChwLength];
            for (var i = 0; i < batch; i++)
                decoder.DecodeChw(images[i % images.Count], FaceImageTransform.ArcFace, chw.AsSpan(i * decoder.ChwLength, decoder.ChwLength), flip: false);
            inputs.Add(torch.tensor(chw, [batch, 3, 112, 112]));
        }
        return inputs;
    }
}

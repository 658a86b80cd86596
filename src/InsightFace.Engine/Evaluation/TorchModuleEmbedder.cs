using InsightFace.Engine.Backbones;
using InsightFace.Engine.Data.Imaging;
using static TorchSharp.torch;

namespace InsightFace.Engine.Evaluation;

/// <summary>
/// A TorchSharp backbone (any <c>Module&lt;Tensor, Tensor&gt;</c> from images to embeddings) as an embedder:
/// eval mode (restored afterwards), no_grad and one dispose scope per batch, on the given device and dtype, with the
/// images in the memory layout of the module's convolutions (<see cref="MemoryFormat"/>).
/// </summary>
public sealed class TorchModuleEmbedder : IFaceEmbedder
{
    private readonly nn.Module<Tensor, Tensor> _module;
    private readonly Device _device;
    private readonly ScalarType _dtype;

    /// <summary>
    /// Wraps <paramref name="module"/>, which must already be on <paramref name="device"/> (the CPU by default);
    /// inputs are cast to <paramref name="dtype"/>. arcface_torch backbones take <see cref="FaceImageTransform.ArcFace"/>.
    /// </summary>
    public TorchModuleEmbedder(nn.Module<Tensor, Tensor> module, string description, Device? device = null,
        ScalarType dtype = ScalarType.Float32, FaceImageTransform? inputTransform = null)
    {
        _module = module;
        _device = device ?? CPU;
        _dtype = dtype;
        Description = description;
        InputTransform = inputTransform ?? FaceImageTransform.ArcFace;
    }

    /// <inheritdoc />
    public FaceImageTransform InputTransform { get; }

    /// <inheritdoc />
    public string Description { get; }

    /// <inheritdoc />
    public float[,] Embed(float[] images, int count)
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        // Verification during training must hand the backbone back in the mode it found it.
        var wasTraining = _module.training;
        _module.eval();
        Tensor output;
        try
        {
            var input = tensor(images.AsMemory(0, count * FaceInput.Floats), [count, FaceInput.Channels, FaceInput.Size, FaceInput.Size])
                .to(_dtype, _device);
            // Images go in the layout of the first convolution's weight, so that it runs without a reorder.
            output = _module.forward(MemoryFormat.To(input, MemoryFormat.Of(_module)));
        }
        finally
        {
            if (wasTraining) _module.train();
        }
        if (output.dim() != 2 || output.shape[0] != count)
            throw new EvaluationException(ErrorIds.EmbeddingShapeInvalid,
                $"{Description} returned a [{string.Join(", ", output.shape)}] tensor for {count} images; expected [{count}, E].");

        var values = output.to(ScalarType.Float32).cpu().data<float>().ToArray();
        var size = (int)output.shape[1];
        var result = new float[count, size];
        Buffer.BlockCopy(values, 0, result, 0, values.Length * sizeof(float));
        return result;
    }
}

using InsightFace.Engine.Data.Imaging;
using InsightFace.Engine.Export.Onnx;
using Microsoft.ML.OnnxRuntime;

namespace InsightFace.Engine.Evaluation;

/// <summary>
/// Any ONNX face-recognition model through ONNX Runtime (CPU): input N x 3 x 112 x 112 float, output N x E.
/// A fixed batch dimension (often 1) is fed in chunks of that size, padding the last. Per-channel PRelu nodes run
/// rewritten as Relus and depthwise convs (<see cref="OnnxPReluRewriter"/>), the same values, faster.
/// </summary>
public sealed class OnnxFaceEmbedder : IFaceEmbedder, IDisposable
{
    private readonly InferenceSession _session;
    private readonly string _inputName;
    private readonly string _outputName;
    private readonly RunOptions _runOptions = new();
    private float[]? _padded;

    /// <summary>
    /// Opens <paramref name="modelPath"/>; throws <see cref="EvaluationException"/> naming the shapes when the
    /// input is not N x 3 x 112 x 112 float or the output is not 2-D.
    /// </summary>
    public OnnxFaceEmbedder(string modelPath, OnnxEmbedderOptions? options = null)
        : this(Path.GetFullPath(modelPath), model: null, options ?? new OnnxEmbedderOptions(), inputTransform: null)
    {
    }

    /// <summary>
    /// Runs a model held in memory, such as a checkpoint's backbone exported on the fly; <paramref name="name"/>
    /// stands for the file in messages. The graph must take <paramref name="inputTransform"/>'s normalised images.
    /// </summary>
    public OnnxFaceEmbedder(byte[] model, string name, FaceImageTransform inputTransform, int? intraOpThreads = null)
        : this(name, model, new OnnxEmbedderOptions { IntraOpThreads = intraOpThreads }, inputTransform)
    {
    }

    private OnnxFaceEmbedder(string name, byte[]? model, OnnxEmbedderOptions options, FaceImageTransform? inputTransform)
    {
        ModelPath = name;
        using var sessionOptions = new SessionOptions();
        if (options.IntraOpThreads is { } threads) sessionOptions.IntraOpNumThreads = threads;
        _session = Open(name, model, sessionOptions);
        try
        {
            (_inputName, FixedBatch) = CheckInput();
            _outputName = CheckOutput();
        }
        catch
        {
            Dispose();
            throw;
        }

        GraphNormalisesInput = model is null && OnnxGraphInspector.NormalisesInput(name);
        var mean = options.InputMean ?? (GraphNormalisesInput ? 0f : 127.5f);
        var std = options.InputStd ?? (GraphNormalisesInput ? 1f : 127.5f);
        InputTransform = inputTransform ?? new FaceImageTransform(mean, std, options.ChannelOrder);
    }

    /// <summary>The model file, or the name given to a model held in memory.</summary>
    public string ModelPath { get; }

    /// <summary>The batch size the graph fixes, or null when its batch dimension is dynamic.</summary>
    public int? FixedBatch { get; }

    /// <summary>True when the graph begins with Sub and Mul nodes, InsightFace's sign of an MXNet export.</summary>
    public bool GraphNormalisesInput { get; }

    /// <inheritdoc />
    public FaceImageTransform InputTransform { get; }

    /// <inheritdoc />
    public string Description => Path.GetFileName(ModelPath);

    /// <inheritdoc />
    public float[,] Embed(float[] images, int count)
    {
        var chunk = FixedBatch ?? count;
        float[,]? result = null;
        for (var start = 0; start < count; start += chunk)
        {
            var rows = Math.Min(chunk, count - start);
            var input = images.AsMemory(start * FaceInput.Floats, rows * FaceInput.Floats);
            if (rows < chunk) input = Pad(input, chunk);
            using var tensor = OrtValue.CreateTensorValueFromMemory(OrtMemoryInfo.DefaultInstance, input,
                [chunk, FaceInput.Channels, FaceInput.Size, FaceInput.Size]);
            using var outputs = _session.Run(_runOptions, new Dictionary<string, OrtValue> { [_inputName] = tensor }, [_outputName]);
            var shape = outputs[0].GetTensorTypeAndShape().Shape;
            if (shape.Length != 2 || shape[0] != chunk)
                throw new EvaluationException(ErrorIds.OnnxOutputShapeUnsupported,
                    $"{ModelPath}: output '{_outputName}' came back as [{string.Join(", ", shape)}] for a batch of {chunk}; expected [{chunk}, E].");
            var values = outputs[0].GetTensorDataAsSpan<float>();
            result ??= new float[count, shape[1]];
            for (var r = 0; r < rows; r++)
                for (var j = 0; j < shape[1]; j++) result[start + r, j] = values[r * (int)shape[1] + j];
        }
        return result ?? new float[0, 0];
    }

    /// <summary>Releases the ONNX Runtime session.</summary>
    public void Dispose()
    {
        _runOptions.Dispose();
        _session.Dispose();
    }

    // PRelu nodes run about 2x faster (mbf) rewritten as Relus and depthwise convs (OnnxPReluRewriter); a model it
    // leaves alone, or a file it cannot read, goes to ONNX Runtime as it is, which reports what is wrong with it.
    private static InferenceSession Open(string path, byte[]? model, SessionOptions options)
    {
        var bytes = model ?? ReadSmallFile(path);
        if (bytes is not null && OnnxPReluRewriter.Rewrite(bytes) is { } rewritten) return new InferenceSession(rewritten, options);
        return model is null ? new InferenceSession(path, options) : new InferenceSession(model, options);
    }

    private static byte[]? ReadSmallFile(string path)
    {
        try
        {
            return new FileInfo(path) is { Exists: true, Length: < int.MaxValue } ? File.ReadAllBytes(path) : null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    private Memory<float> Pad(Memory<float> input, int batch)
    {
        _padded ??= new float[batch * FaceInput.Floats];
        input.CopyTo(_padded);
        _padded.AsSpan(input.Length).Clear();
        return _padded;
    }

    private (string Name, int? FixedBatch) CheckInput()
    {
        var (name, meta) = _session.InputMetadata.First();
        var dims = meta.Dimensions;
        var ok = meta.IsTensor && meta.ElementType == typeof(float) && dims.Length == 4
                 && Fits(dims[1], FaceInput.Channels) && Fits(dims[2], FaceInput.Size) && Fits(dims[3], FaceInput.Size);
        if (!ok)
            throw new EvaluationException(ErrorIds.OnnxInputShapeUnsupported,
                $"{ModelPath}: input '{name}' is {Describe(meta)}; expected float [N, 3, 112, 112].");
        return (name, dims[0] > 0 ? dims[0] : null);
    }

    private string CheckOutput()
    {
        var (name, meta) = _session.OutputMetadata.First();
        if (!meta.IsTensor || meta.ElementType != typeof(float) || meta.Dimensions.Length != 2)
            throw new EvaluationException(ErrorIds.OnnxOutputShapeUnsupported,
                $"{ModelPath}: output '{name}' is {Describe(meta)}; expected a 2-D float embedding [N, E].");
        return name;
    }

    /// <summary>A dynamic (negative) dimension accepts the size we feed.</summary>
    private static bool Fits(int dimension, int size) => dimension < 0 || dimension == size;

    private static string Describe(NodeMetadata meta)
    {
        if (!meta.IsTensor) return $"a {meta.OnnxValueType}";
        var dims = meta.Dimensions.Select((d, i) => d >= 0 ? d.ToString() : meta.SymbolicDimensions[i] is { Length: > 0 } s ? s : "?");
        return $"{meta.ElementDataType.ToString().ToLowerInvariant()} [{string.Join(", ", dims)}]";
    }
}

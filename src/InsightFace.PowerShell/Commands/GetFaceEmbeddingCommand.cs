using System.Management.Automation;
using InsightFace.Engine;
using InsightFace.Engine.Data.ImageFolder;
using InsightFace.Engine.Data.Imaging;
using InsightFace.Engine.Evaluation;

namespace InsightFace.PowerShell.Commands;

/// <summary>Computes face embeddings of aligned 112x112 face images, from a checkpoint or an ONNX model.</summary>
/// <remarks>
/// <para>Get-FaceEmbedding reads image files (JPEG, PNG or anything SkiaSharp decodes; images of another size are
/// resized to 112x112, with a warning that names the first three and then counts them) from -Path or the pipeline,
/// embeds them in batches of -BatchSize, and writes one FaceEmbedding per image, in order, as soon as its batch is
/// done. The vector is the model's raw output, as arcface_torch's
/// inference.py prints it; with -Flip it is the sum of the embeddings of the image and its mirror. Compare two with
/// Compare-FaceEmbedding.</para>
/// <para>The images are expected to be aligned face crops, as in InsightFace's datasets. For other photos give
/// -LandmarksPath: a text file with one line per photo, its path then the 10 numbers of the 5 landmarks (eyes, nose
/// tip, mouth corners); each photo is then aligned to the standard ArcFace 112x112 template with a similarity
/// transform before it is embedded. A photo the file has no landmarks for, or a file that does not decode, is a
/// non-terminating error and the others go on.</para>
/// <para>The model is -Checkpoint, -CheckpointPath or -ModelPath (ONNX). Checkpoints also come from the pipeline, as
/// for Test-FaceVerification and Export-FaceOnnx: a FaceCheckpoint binds -Checkpoint, and any object with a
/// CheckpointPath property (a checkpoint back from Start-Job or Import-Clixml) binds -CheckpointPath; each piped
/// checkpoint embeds the images of -Path.</para>
/// <para>Checkpoints take arcface_torch's input ((x / 255 - 0.5) / 0.5, RGB) and run on -Device (on the CPU in ONNX
/// Runtime, exported in memory; on CUDA in TorchSharp); ONNX models take (x - InputMean) / InputStd in -ChannelOrder,
/// chosen as Test-FaceVerification chooses it.</para>
/// </remarks>
/// <example>
/// <code>Get-ChildItem faces/*.jpg | Get-FaceEmbedding -CheckpointPath work_dirs/r50</code>
/// <para>Embeds every JPEG in faces/ with the newest checkpoint of a run.</para>
/// </example>
/// <example>
/// <code>Get-FaceCheckpoint work_dirs/r50 -All | Get-FaceEmbedding -Path alice.jpg</code>
/// <para>Embeds one face with every checkpoint of a run, to see how its embedding changed during training.</para>
/// </example>
/// <example>
/// <code>Get-FaceEmbedding -Path photos/*.jpg -LandmarksPath photos/landmarks.txt -CheckpointPath work_dirs/r50</code>
/// <para>Aligns each photo with its 5 landmarks, then embeds it.</para>
/// </example>
/// <example>
/// <code>$a, $b = Get-FaceEmbedding -Path alice.jpg, bob.jpg -ModelPath w600k_r50.onnx; Compare-FaceEmbedding $a $b</code>
/// <para>Embeds two faces with an ONNX model and prints their cosine similarity.</para>
/// </example>
[Cmdlet(VerbsCommon.Get, "FaceEmbedding", DefaultParameterSetName = OnnxSet)]
[OutputType(typeof(FaceEmbedding))]
public sealed class GetFaceEmbeddingCommand : FaceModelCmdlet, IDisposable
{

    private readonly List<(string Path, byte[] Bytes)> _pending = new();
    private readonly FaceImageDecoder _decoder = new();
    private FaceLandmarks? _landmarks;
    private byte[] _rgb = Array.Empty<byte>();
    private FaceModel? _model;
    private string? _modelSource;
    private bool _modelFromPipeline;
    private bool _pathGiven;
    private FaceEmbeddingExtractor? _extractor;
    private int _resized;

    /// <summary>How many resized images are named in a warning of their own.</summary>
    private const int ResizedNamed = 3;

    #region Parameters

    /// <summary>Image files; wildcards are allowed. Binds Get-ChildItem's output from the pipeline.</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [Alias("PSPath", "FullName")]
    [SupportsWildcards]
    public string[] Path { get; set; } = Array.Empty<string>();

    /// <summary>Images per forward pass (16 by default: on a CPU, small batches are the fastest per image).</summary>
    [Parameter]
    [ValidateRange(1, 4096)]
    public int BatchSize { get; set; } = VerificationOptions.DefaultBatchSize;

    /// <summary>A landmarks file (path then 10 numbers per line): align each photo to the ArcFace template first.</summary>
    [Parameter]
    public string? LandmarksPath { get; set; }

    /// <summary>Sum the embeddings of each image and its horizontal mirror.</summary>
    [Parameter]
    public SwitchParameter Flip { get; set; }





    #endregion

    #region Overrides

    /// <inheritdoc />
    protected override void BeginProcessing()
    {
        // A model given as a parameter opens before any image is read, and its error ends the command; a checkpoint
        // from the pipeline is bound only with its record, and opens in ProcessRecord.
        if (ModelSource.Length > 0) StopOnErrors(ModelSource, () => Open(ResolveInputPath(ModelSource)));
        _modelFromPipeline = ModelSource.Length == 0;
        _pathGiven = MyInvocation.BoundParameters.ContainsKey(nameof(Path));
        if (LandmarksPath is not null)
        {
            var landmarks = ResolveInputPath(LandmarksPath);
            StopOnErrors(LandmarksPath, () => _landmarks = FaceLandmarks.Read(landmarks));
        }
        _rgb = new byte[_decoder.RgbLength];
    }

    /// <inheritdoc />
    protected override void ProcessRecord()
    {
        // `$checkpoint | Get-FaceEmbedding` alone: PowerShell binds the checkpoint's type name to -Path as well.
        if (_modelFromPipeline && !_pathGiven)
            ThrowTerminatingError(NewErrorRecord(ErrorIds.ImagePathRequired,
                new ArgumentException("A checkpoint came from the pipeline, so the images must come from -Path: " +
                                      "Get-FaceCheckpoint RUN | Get-FaceEmbedding -Path faces/*.jpg"), ModelSource));
        // One bad checkpoint among several piped in: reported, and the next one goes on.
        if (ModelSource != _modelSource && !ReportErrors(ModelSource, () => Open(ResolveInputPath(ModelSource)))) return;
        foreach (var pattern in Path)
        foreach (var file in ResolveImages(pattern))
            ReportErrors(file, () => Add(file));
    }

    /// <inheritdoc />
    protected override void EndProcessing()
    {
        Flush();
        WarnResizedTotal();
    }

    #endregion

    /// <summary>Releases the model.</summary>
    public void Dispose() => _model?.Dispose();

    /// <summary>Embeds what the model before has queued, then opens the model at <paramref name="path"/> for the next images.</summary>
    private void Open(string path)
    {
        Flush();
        _model?.Dispose();
        (_model, _modelSource) = (null, null);
        _model = OpenModel(path);
        _modelSource = ModelSource;
        WriteVerbose($"Model {_model.ModelPath} ({_model.Kind}): input (x - {_model.InputTransform.Mean}) / {_model.InputTransform.Std}, " +
                     $"{_model.InputTransform.Order}; batch {BatchSize}, flip {Flip.IsPresent}.");
        _extractor = new FaceEmbeddingExtractor(_model, BatchSize, Flip);
    }

    /// <summary>Reads one image (aligned, with -LandmarksPath) and queues it for the next batch.</summary>
    private void Add(string file)
    {
        if (Directory.Exists(file))
        {
            WriteError(NewErrorRecord(ErrorIds.ImagePathIsFolder, new ArgumentException($"{file} is a folder; expected an image file."), file));
            return;
        }
        var bytes = _landmarks is null ? File.ReadAllBytes(file) : Align(file, File.ReadAllBytes(file));
        if (bytes is null) return;
        try
        {
            // Checked here so that one bad file is reported alone instead of failing its whole batch.
            _decoder.DecodeRgb(bytes, _rgb);
        }
        catch (FaceImageDecodeException e)
        {
            throw new FaceImageDecodeException($"{file}: {e.Message}");
        }
        if (_decoder.SourceSize != (_decoder.Width, _decoder.Height)) WarnResized(file, _decoder.SourceSize);
        _pending.Add((file, bytes));
        if (_pending.Count == BatchSize) Flush();
    }

    /// <summary>
    /// Names the first few images that were resized, then only counts them: a pipeline of thousands of photos gets a
    /// handful of warnings and a total (<see cref="WarnResizedTotal"/>), not thousands.
    /// </summary>
    private void WarnResized(string file, (int Width, int Height) size)
    {
        if (++_resized > ResizedNamed) return;
        WriteWarning($"{file} is {size.Width}x{size.Height}, not {_decoder.Width}x{_decoder.Height}: it was resized to " +
                     $"{_decoder.Width}x{_decoder.Height} as it is. The model expects aligned face crops; for photos, give " +
                     "-LandmarksPath (5 landmarks per photo) to align each face first.");
    }

    private void WarnResizedTotal()
    {
        if (_resized > ResizedNamed)
            WriteWarning($"In all, {_resized} images were not {_decoder.Width}x{_decoder.Height} and were resized; the first {ResizedNamed} are named above.");
    }

    private byte[]? Align(string file, byte[] photo)
    {
        if (_landmarks!.For(file) is not { } points)
        {
            WriteError(NewErrorRecord(ErrorIds.LandmarksMissing, new ArgumentException($"{LandmarksPath} has no landmarks for {file}."), file));
            return null;
        }
        try
        {
            return FaceAligner.AlignEncoded(photo, points);
        }
        catch (ArgumentException e)
        {
            throw new FaceImageDecodeException($"{file}: {e.Message}");
        }
    }

    private IEnumerable<string> ResolveImages(string pattern)
    {
        try
        {
            return GetResolvedProviderPathFromPSPath(pattern, out _);
        }
        catch (ItemNotFoundException e)
        {
            WriteError(NewErrorRecord(ErrorIds.PathNotFound, e, pattern));
            return Array.Empty<string>();
        }
    }

    private void Flush()
    {
        if (_pending.Count == 0) return;
        IReadOnlyList<float[]> vectors = Array.Empty<float[]>();
        StopOnErrors(_model!.ModelPath, () => vectors = _extractor!.Embed(_pending.Select(p => p.Bytes).ToArray(), StopToken));
        for (var i = 0; i < vectors.Count; i++) WriteObject(FaceEmbedding.From(_pending[i].Path, vectors[i], _model!.ModelPath));
        _pending.Clear();
    }
}

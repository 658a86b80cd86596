using System.Diagnostics;
using System.Management.Automation;
using InsightFace.Engine;
using InsightFace.Engine.Data.Verification;
using InsightFace.Engine.Evaluation;
using EngineResult = InsightFace.Engine.Evaluation.VerificationResult;

namespace InsightFace.PowerShell.Commands;

/// <summary>Runs InsightFace's face-verification protocol on .bin sets, for a checkpoint or an ONNX model.</summary>
/// <remarks>
/// <para>Test-FaceVerification computes the numbers arcface_torch logs for its validation targets: every image of
/// the .bin and its horizontal mirror are embedded, XNorm is the mean L2 norm of the raw embeddings, the final
/// embedding is the L2-normalised sum of both, and the squared distances of pairs (2i, 2i+1) go through 10-fold
/// cross-validation in file order (thresholds 0, 0.01, ... 3.99, ties to the smallest). Accuracy is the mean
/// test-fold accuracy and AccuracyStd its population standard deviation; TarAtFar is VAL at FAR 1e-3 as
/// calculate_val computes it. -NoFlip embeds the images alone. The pairs are cut, in file order, into 10 folds; a set
/// whose folds hold one kind of pair only gets a warning naming them, and its TarAtFar is NaN.</para>
/// <para>The model is a checkpoint (a FaceCheckpoint from Get-FaceCheckpoint, New-FaceCheckpoint or
/// Start-FaceTraining, or -CheckpointPath) run on -Device (on the CPU by ONNX Runtime, exported in memory, the faster
/// there; on CUDA by TorchSharp), or any ONNX model (-ModelPath) run by ONNX Runtime on the CPU. ONNX inputs are
/// (x - InputMean) / InputStd, 127.5 and 127.5 unless given, except that a graph that begins with its own Sub and
/// Mul nodes (an MXNet export) gets 0 and 1, as InsightFace's ONNX helper does.</para>
/// <para>-Target takes names or paths to .bin files. A name is looked up as NAME.bin in each -DataPath folder, then,
/// for a checkpoint trained here, beside its training dataset (the dataset's folder and the folders of its .bin
/// files, recorded in checkpoint.json), then in the current location. A target that cannot be found or read is a non-terminating error and the other targets go
/// on. One VerificationResult is written per target. -Verbose shows arcface_torch's log lines
/// ([lfw]XNorm: ..., [lfw]Accuracy-Flip: ...+-...).</para>
/// <para>For CI, -MinimumAccuracy writes a VerificationBelowMinimum error after the result of every target whose
/// accuracy falls short, so that $? is false and -ErrorAction Stop fails the script.</para>
/// </remarks>
/// <example>
/// <code>Get-FaceCheckpoint -Path work_dirs/ms1mv3_r50 | Test-FaceVerification -Target lfw, cfp_fp, agedb_30 -DataPath datasets/faces_emore</code>
/// <para>Verifies the newest checkpoint of a run on the three standard targets.</para>
/// </example>
/// <example>
/// <code>Test-FaceVerification -ModelPath w600k_r50.onnx -Target ./lfw.bin -RocPlotPath lfw-roc.png</code>
/// <para>Verifies an ONNX model from the InsightFace model zoo on lfw.bin and draws its ROC curve.</para>
/// </example>
/// <example>
/// <code>Test-FaceVerification -CheckpointPath ./r50 -Target lfw -DataPath ./data -MinimumAccuracy 0.995 -ErrorAction Stop</code>
/// <para>A CI gate: fails when LFW accuracy is below 99.5%.</para>
/// </example>
[Cmdlet(VerbsDiagnostic.Test, "FaceVerification", DefaultParameterSetName = OnnxSet, SupportsShouldProcess = true)]
[OutputType(typeof(VerificationResult))]
public sealed class TestFaceVerificationCommand : FaceModelCmdlet
{

    #region Parameters

    /// <summary>Verification sets: names (lfw, cfp_fp, agedb_30) looked up as NAME.bin, or paths to .bin files.</summary>
    [Parameter(Mandatory = true, Position = 0)]
    [ArgumentCompleter(typeof(VerificationTargetCompleter))]
    [ValidateNotNullOrEmpty]
    public string[] Target { get; set; } = Array.Empty<string>();

    /// <summary>Folders to look for NAME.bin in, before the current location.</summary>
    [Parameter]
    public string[] DataPath { get; set; } = Array.Empty<string>();

    /// <summary>Images per forward pass (16 by default: on a CPU, small batches are the fastest per image); memory grows with it, not with the set.</summary>
    [Parameter]
    [ValidateRange(1, 4096)]
    public int BatchSize { get; set; } = VerificationOptions.DefaultBatchSize;

    /// <summary>Embed the images alone instead of summing each with its horizontal mirror.</summary>
    [Parameter]
    public SwitchParameter NoFlip { get; set; }





    /// <summary>
    /// Writes the ROC curves as a PNG here: TAR against FAR on a log axis, one curve per target, with each target's
    /// accuracy and TAR@FAR=1e-3 in the legend. An existing file is replaced only with -Force; missing folders are
    /// created.
    /// </summary>
    [Parameter]
    public string? RocPlotPath { get; set; }

    /// <summary>Replace an existing ROC plot.</summary>
    [Parameter]
    public SwitchParameter Force { get; set; }

    /// <summary>Writes a VerificationBelowMinimum error for every target whose accuracy (0–1) is below this.</summary>
    [Parameter]
    [ValidateRange(0.0, 1.0)]
    public double? MinimumAccuracy { get; set; }

    #endregion

    #region Overrides

    /// <inheritdoc />
    protected override void ProcessRecord()
    {
        using var model = TryOpenModel();
        if (model is null) return;
        WriteVerbose($"Model {model.ModelPath} ({model.Kind}): input (x - {model.InputTransform.Mean}) / {model.InputTransform.Std}, " +
                     $"{model.InputTransform.Order}; batch {BatchSize}, flip {!NoFlip}.");
        var runner = new VerificationRunner(model, new VerificationOptions { BatchSize = BatchSize, Flip = !NoFlip });
        var results = new List<EngineResult>();
        foreach (var target in Target) Verify(runner, model, target, results);
        if (RocPlotPath is not null && results.Count > 0) ReportErrors(RocPlotPath, () => SavePlot(results));
    }

    #endregion

    private FaceModel? TryOpenModel()
    {
        var source = ModelSource;
        var path = ResolveInputPath(source);
        WriteVerbose(ParameterSetName == OnnxSet ? $"Opening ONNX model {path}." : $"Loading checkpoint {path} on {Device}.");
        // One bad model among several piped in: reported, and the next one goes on.
        FaceModel? model = null;
        ReportErrors(source, () => model = OpenModel(path));
        return model;
    }

    private void Verify(VerificationRunner runner, FaceModel model, string target, List<EngineResult> results)
    {
        try
        {
            ReportErrors(target, () => results.Add(VerifyTarget(runner, model, target)));
        }
        finally
        {
            WriteProgress(new ProgressRecord(0, "Test-FaceVerification", "Done") { RecordType = ProgressRecordType.Completed });
        }
    }

    /// <summary>Verifies one target and writes its result.</summary>
    private EngineResult VerifyTarget(VerificationRunner runner, FaceModel model, string target)
    {
        var bin = VerificationTargets.Resolve(ResolveTargetValue(target), SearchFolders(model));
        WriteVerbose($"Reading {bin}.");
        var set = VerificationBinReader.Read(bin);
        var name = Path.GetFileNameWithoutExtension(bin);
        WriteVerbose($"[{name}] {set.Pairs} pairs, {set.Images.Count} images.");
        if (FoldBalance.Warning(name, set.IsSame) is { } unbalanced) WriteWarning(unbalanced);

        var result = runner.Run(name, set, new ProgressReporter(this, name), StopToken);
        foreach (var line in result.LogLines()) WriteVerbose(line);
        WriteVerbose($"[{name}] {result.Elapsed.TotalSeconds:F1} s, of which inference {result.InferenceTime.TotalSeconds:F1} s.");

        WriteObject(VerificationResult.From(result, model.ModelPath));
        if (MinimumAccuracy is { } minimum && result.Accuracy < minimum)
            WriteError(NewErrorRecord(ErrorIds.VerificationBelowMinimum,
                new InvalidOperationException($"'{name}': accuracy {result.Accuracy:F5} is below the minimum {minimum:F5} ({model.ModelPath})."),
                name));
        return result;
    }

    /// <summary>Paths are relative to the PowerShell location; bare names are left for the folder search.</summary>
    private string ResolveTargetValue(string target) =>
        target.EndsWith(".bin", StringComparison.OrdinalIgnoreCase) || target.Contains('/') || target.Contains('\\')
            ? ResolveOutputPath(target)
            : target;

    /// <summary>-DataPath, then where a checkpoint's training data was, then the current location.</summary>
    private IEnumerable<string> SearchFolders(FaceModel model) =>
        DataPath.Select(ResolveOutputPath).Concat(model.DataFolders).Append(SessionState.Path.CurrentFileSystemLocation.ProviderPath);

    /// <summary>One picture, a curve per target verified.</summary>
    private void SavePlot(IReadOnlyList<EngineResult> results)
    {
        var path = ResolveOutputPath(RocPlotPath!);
        var targets = string.Join(", ", results.Select(r => $"'{r.Target}'"));
        if (!ShouldProcess(path, $"Write the ROC curves of {targets}")) return;
        RocCurvePlot.Save(path, results, overwrite: Force);
        WriteVerbose($"Wrote the ROC curves of {targets} to {path}.");
    }

    /// <summary>
    /// Turns the engine's per-batch reports, which arrive synchronously on the pipeline thread, into progress with
    /// images per second and the time remaining.
    /// </summary>
    private sealed class ProgressReporter(TestFaceVerificationCommand command, string target) : IProgress<VerificationProgress>
    {
        private readonly Stopwatch _clock = Stopwatch.StartNew();

        public void Report(VerificationProgress value)
        {
            var seconds = Math.Max(_clock.Elapsed.TotalSeconds, 1e-3);
            var rate = value.ImagesDone / seconds;
            var left = rate > 0 ? $" · {TimeLeft.Format(TimeSpan.FromSeconds((value.ImagesTotal - value.ImagesDone) / rate))}" : "";
            var record = new ProgressRecord(0, "Test-FaceVerification", $"{target} · {value.ImagesDone}/{value.ImagesTotal} images · {rate:F1} img/s{left}")
            {
                PercentComplete = (int)(100L * value.ImagesDone / Math.Max(value.ImagesTotal, 1)),
            };
            command.WriteProgress(record);
        }
    }
}

using System.Management.Automation;
using InsightFace.Engine;
using InsightFace.Engine.Data.Verification;
using InsightFace.Engine.Evaluation;
using InsightFace.Engine.Export;

namespace InsightFace.PowerShell.Commands;

/// <summary>Builds an InsightFace verification .bin from a list of image pairs.</summary>
/// <remarks>
/// <para>New-FaceVerificationSet reads a pairs list, checks that every image it names exists and decodes, and writes
/// the .bin that InsightFace's verification.py, arcface_torch and Test-FaceVerification load: a pickle of
/// (bins, issame_list) holding each file's encoded bytes as they are, images 2i and 2i+1 forming pair i.</para>
/// <para>The list is either LFW's pairs.txt (name n1 n2 for a same pair, name1 n1 name2 n2 for a different pair,
/// images at ImageRoot/name/name_NNNN.jpg, an optional first line of counts) or a .csv file of path1,path2,same
/// (same is 1, 0, true or false; an optional header line; paths relative to ImageRoot). ImageRoot defaults to the
/// list's folder. A line that cannot be read, a missing image or an image that does not decode stops the command
/// with an error naming the line or file, and nothing is written.</para>
/// <para>The protocol cuts the pairs, in file order, into 10 folds, and each fold needs both kinds of pair; a list
/// whose folds hold one kind only (all "same" pairs first, say) gets a warning that names the folds: order the pairs
/// so that every tenth of the list holds both, as LFW's pairs.txt does (blocks of 300 same, then 300 different).</para>
/// <para>The .bin is written to a temporary name and renamed when complete; an existing file is replaced only with
/// -Force. The output is the FileInfo of the new .bin.</para>
/// </remarks>
/// <example>
/// <code>New-FaceVerificationSet -PairsPath lfw/pairs.txt -ImageRoot lfw/lfw-112x112 -OutputPath data/lfw.bin</code>
/// <para>Builds lfw.bin from LFW's pairs.txt and aligned 112x112 images.</para>
/// </example>
/// <example>
/// <code>New-FaceVerificationSet -PairsPath pairs.csv -OutputPath mine.bin -Force | Select-Object FullName, Length</code>
/// <para>Builds (or replaces) mine.bin from a CSV of path1,path2,same beside the images.</para>
/// </example>
[Cmdlet(VerbsCommon.New, "FaceVerificationSet", SupportsShouldProcess = true)]
[OutputType(typeof(FileInfo))]
public sealed class NewFaceVerificationSetCommand : InsightFaceCmdlet
{
    #region Parameters

    /// <summary>The pairs list: LFW's pairs.txt format, or a .csv of path1,path2,same.</summary>
    [Parameter(Mandatory = true, Position = 0)]
    public string PairsPath { get; set; } = "";

    /// <summary>The folder image paths are relative to (the pairs list's folder by default).</summary>
    [Parameter]
    public string? ImageRoot { get; set; }

    /// <summary>The .bin file to write. Missing folders are created.</summary>
    [Parameter(Mandatory = true, Position = 1)]
    public string OutputPath { get; set; } = "";

    /// <summary>The extension of LFW-style image names (.jpg by default).</summary>
    [Parameter]
    [ValidatePattern(@"^\.\w+$")]
    public string ImageExtension { get; set; } = ".jpg";

    /// <summary>Replace an existing output file.</summary>
    [Parameter]
    public SwitchParameter Force { get; set; }

    #endregion

    #region Overrides

    /// <inheritdoc />
    protected override void EndProcessing()
    {
        var pairsPath = ResolveInputPath(PairsPath);
        var root = ImageRoot is null ? null : ResolveInputPath(ImageRoot);
        var output = ResolveOutputPath(OutputPath);
        StopOnErrors(output, () =>
        {
            var pairs = PairsListReader.Read(pairsPath, root, ImageExtension);
            WriteVerbose($"{pairsPath}: {pairs.Count} pairs ({pairs.Count(p => p.IsSame)} same).");
            if (FoldBalance.Warning(Path.GetFileNameWithoutExtension(output), pairs.Select(p => p.IsSame).ToList()) is { } unbalanced)
                WriteWarning(unbalanced);
            if (!ShouldProcess(output, $"Write a verification set of {pairs.Count} pairs")) return;
            // Checked before reading every image, so that the refusal is immediate; the writer checks again.
            if (File.Exists(output) && !Force)
                throw new VerificationSetException(ErrorIds.VerificationBinExists, output,
                    $"{output}: the file exists; pass -Force to replace it.");
            var set = VerificationSetBuilder.FromPairs(pairs, StopToken);
            VerificationBinWriter.Write(output, set, overwrite: Force);
            WriteVerbose($"Wrote {output}: {set.Pairs} pairs, {set.Images.Count} images.");
            WriteFileItem(output);
        });
    }

    #endregion
}

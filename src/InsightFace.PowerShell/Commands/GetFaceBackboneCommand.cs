using System.Collections;
using System.Management.Automation;
using System.Management.Automation.Language;
using InsightFace.Engine;
using InsightFace.Engine.Backbones;

namespace InsightFace.PowerShell.Commands;

/// <summary>Lists the backbone networks the registry can build, with their parameter counts and MACs.</summary>
/// <remarks>
/// <para>Get-FaceBackbone lists the networks that configs, New-FaceCheckpoint and Start-FaceTraining accept by
/// name: the IResNets r18, r34, r50, r100 and r200, and the MobileFaceNets mbf and mbf_large. For each it gives the
/// parameter count and the multiply-accumulates (MACs) for one 3x112x112 image, worked out from the layer list
/// without building the network, so it is instant even for r200.</para>
/// <para>MACs count every convolution (output elements x kernel area x input channels per group) and every Linear
/// layer (inputs x outputs); BatchNorm, PReLU, biases and residual adds, under 1% together, are not counted. This is
/// the convention of arcface_torch's published 2.6/4.5/6.3/12.1/23.4 GFLOPs for r18 to r200. The parameter count
/// includes the frozen scale of the IResNet's last BatchNorm, as PyTorch's parameters() does, and depends on the
/// embedding size, which defaults to 512 as in every arcface_torch config. The table view shows millions of
/// parameters and GMACs; the objects carry the exact counts.</para>
/// <para>-Name takes wildcards. A name without wildcards that matches no network writes a NameNotFound error and
/// the other names are still listed. FaceCheckpoint objects pipe in: their Network and EmbeddingSize bind -Name and
/// -EmbeddingSize.</para>
/// </remarks>
/// <example>
/// <code>Get-FaceBackbone</code>
/// <para>Lists all seven networks with their parameters (millions) and GMACs at embedding size 512.</para>
/// </example>
/// <example>
/// <code>Get-FaceBackbone -Name r1* -EmbeddingSize 128</code>
/// <para>Lists r18 and r100 with 128-dimensional embeddings.</para>
/// </example>
/// <example>
/// <code>Get-FaceBackbone | Sort-Object MACs | Select-Object Name, Parameters, MACs</code>
/// <para>Shows the exact counts, cheapest network first.</para>
/// </example>
[Cmdlet(VerbsCommon.Get, "FaceBackbone")]
[OutputType(typeof(FaceBackbone))]
public sealed class GetFaceBackboneCommand : InsightFaceCmdlet
{
    /// <summary>Names of networks to list (r18, r34, r50, r100, r200, mbf, mbf_large). Wildcards are allowed; the default lists all.</summary>
    [Parameter(Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [Alias("Network")]
    [SupportsWildcards]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(BackboneNameCompleter))]
    public string[] Name { get; set; } = ["*"];

    /// <summary>The embedding length to count the parameters for (512 by default, as in arcface_torch).</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    [ValidateRange(1, 65536)]
    public int EmbeddingSize { get; set; } = 512;

    /// <inheritdoc />
    protected override void ProcessRecord()
    {
        var patterns = Name.Select(n => (Text: n, Pattern: new WildcardPattern(n, WildcardOptions.IgnoreCase))).ToList();
        foreach (var name in BackboneRegistry.Names.Where(n => patterns.Any(p => p.Pattern.IsMatch(n))))
            WriteObject(FaceBackbone.From(BackboneRegistry.Describe(name, EmbeddingSize)));

        foreach (var (text, pattern) in patterns)
        {
            if (WildcardPattern.ContainsWildcardCharacters(text) || BackboneRegistry.Names.Any(pattern.IsMatch)) continue;
            var message = $"No network is named '{text}'. Expected one of: {string.Join(", ", BackboneRegistry.Names)}.";
            WriteError(NewErrorRecord(ErrorIds.NameNotFound, new ItemNotFoundException(message), text));
        }
    }
}

/// <summary>Completes -Name of Get-FaceBackbone with the registry's network names.</summary>
public sealed class BackboneNameCompleter : IArgumentCompleter
{
    /// <inheritdoc />
    public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete,
        CommandAst commandAst, IDictionary fakeBoundParameters)
    {
        var typed = new WildcardPattern(wordToComplete.Trim('\'', '"') + "*", WildcardOptions.IgnoreCase);
        return BackboneRegistry.Names.Where(typed.IsMatch).Select(n => new CompletionResult(n));
    }
}

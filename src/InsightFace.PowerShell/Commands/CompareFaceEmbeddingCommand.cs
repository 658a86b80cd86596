using System.Management.Automation;
using InsightFace.Engine;
using InsightFace.Engine.Evaluation;

namespace InsightFace.PowerShell.Commands;

/// <summary>Compares face embeddings: the cosine similarity of each difference embedding to a reference.</summary>
/// <remarks>
/// <para>Like Compare-Object, Compare-FaceEmbedding takes a -ReferenceEmbedding and one or more
/// -DifferenceEmbedding values (from the pipeline too), and writes one FaceEmbeddingComparison per difference
/// embedding: the cosine similarity (computed in float64, -1 to 1), the squared distance of the normalised
/// embeddings (2 - 2 x similarity, the scale of InsightFace's verification thresholds), and the image paths.</para>
/// <para>An embedding is a FaceEmbedding from Get-FaceEmbedding (also after Export-Clixml or ConvertTo-Json: any
/// object with a Vector property) or an array of numbers. Embeddings of different sizes cannot be compared: that is
/// a non-terminating error for that pair. An all-zero embedding has similarity 0.</para>
/// </remarks>
/// <example>
/// <code>$a, $b = Get-FaceEmbedding -Path alice.jpg, bob.jpg -CheckpointPath ./r50; Compare-FaceEmbedding -ReferenceEmbedding $a -DifferenceEmbedding $b</code>
/// <para>Prints how alike two faces are.</para>
/// </example>
/// <example>
/// <code>$me = Get-FaceEmbedding -Path me.jpg -CheckpointPath ./r50; Get-ChildItem photos/*.jpg | Get-FaceEmbedding -CheckpointPath ./r50 | Compare-FaceEmbedding $me | Sort-Object Similarity -Descending</code>
/// <para>Ranks photos by their similarity to one face.</para>
/// </example>
/// <example>
/// <code>Compare-FaceEmbedding -ReferenceEmbedding @(1, 0) -DifferenceEmbedding @(0.6, 0.8)</code>
/// <para>Compares two plain arrays: similarity 0.6.</para>
/// </example>
[Cmdlet(VerbsData.Compare, "FaceEmbedding")]
[OutputType(typeof(FaceEmbeddingComparison))]
public sealed class CompareFaceEmbeddingCommand : InsightFaceCmdlet
{
    private (string Path, float[] Vector) _reference;

    #region Parameters

    /// <summary>The embedding to compare against: a FaceEmbedding, or an array of numbers.</summary>
    [Parameter(Mandatory = true, Position = 0)]
    [ValidateNotNull]
    public PSObject ReferenceEmbedding { get; set; } = null!;

    /// <summary>
    /// The embedding to compare with the reference: a FaceEmbedding, or an array of numbers. Pipe several
    /// FaceEmbedding objects to compare each.
    /// </summary>
    [Parameter(Mandatory = true, Position = 1, ValueFromPipeline = true)]
    [ValidateNotNull]
    public PSObject DifferenceEmbedding { get; set; } = null!;

    #endregion

    #region Overrides

    /// <inheritdoc />
    protected override void BeginProcessing()
    {
        if (!TryRead(ReferenceEmbedding, out _reference, out var error)) ThrowTerminatingError(error!);
    }

    /// <inheritdoc />
    protected override void ProcessRecord()
    {
        if (!TryRead(DifferenceEmbedding, out var difference, out var error))
        {
            WriteError(error!);
            return;
        }
        if (difference.Vector.Length != _reference.Vector.Length)
        {
            WriteError(NewErrorRecord(ErrorIds.EmbeddingSizeMismatch,
                new ArgumentException($"Embeddings of {_reference.Vector.Length} and {difference.Vector.Length} values cannot be compared" +
                                      $" ({Describe(_reference.Path)} and {Describe(difference.Path)})."),
                DifferenceEmbedding));
            return;
        }
        var similarity = FaceEmbeddingExtractor.CosineSimilarity(_reference.Vector, difference.Vector);
        WriteObject(new FaceEmbeddingComparison
        {
            Similarity = similarity,
            Distance = 2 - 2 * similarity,
            ReferencePath = _reference.Path,
            DifferencePath = difference.Path,
        });
    }

    #endregion

    /// <summary>A FaceEmbedding (live or deserialized: anything with a Vector) or an array of numbers.</summary>
    private static bool TryRead(PSObject value, out (string Path, float[] Vector) embedding, out ErrorRecord? error)
    {
        var vector = value.Properties["Vector"]?.Value ?? value.BaseObject;
        if (vector is PSObject wrapped) vector = wrapped.BaseObject; // deserialized objects wrap their lists
        var path = value.Properties["Path"]?.Value as string ?? "";
        embedding = (path, Array.Empty<float>());
        error = null;
        if (vector is System.Collections.IEnumerable and not string && LanguagePrimitives.TryConvertTo(vector, out float[]? numbers) && numbers is { Length: > 0 })
        {
            embedding = (path, numbers);
            return true;
        }
        error = NewErrorRecord(ErrorIds.EmbeddingInvalid,
            new ArgumentException($"Cannot use {Describe(value)} as an embedding; expected a FaceEmbedding or an array of numbers."),
            value);
        return false;
    }

    private static string Describe(object? value) => value switch
    {
        string { Length: 0 } => "an array",
        string text => text,
        PSObject o => $"a {o.BaseObject?.GetType().Name ?? "null"} value",
        _ => "a value",
    };
}

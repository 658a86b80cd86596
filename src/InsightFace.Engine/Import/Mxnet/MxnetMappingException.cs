namespace InsightFace.Engine.Import.Mxnet;

/// <summary>An MXNet model does not have the layers or the array shapes of the backbone it is being mapped into.</summary>
public sealed class MxnetMappingException : InsightFaceException
{
    /// <summary>Creates the exception; <paramref name="problems"/> lists every node or array that did not match.</summary>
    public MxnetMappingException(string errorId, string source, IReadOnlyList<string> problems)
        : base(errorId, $"MXNet model '{source}' does not map into our backbone:{Environment.NewLine}  " + string.Join(Environment.NewLine + "  ", problems))
        => Problems = problems;

    /// <summary>One line per mismatch, naming the node or array and what was expected.</summary>
    public IReadOnlyList<string> Problems { get; }
}

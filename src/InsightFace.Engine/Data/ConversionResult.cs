namespace InsightFace.Engine.Data;

/// <summary>What a dataset writer produced.</summary>
/// <param name="OutputPath">The output folder.</param>
/// <param name="Records">Images written.</param>
/// <param name="Skipped">Source records left out (each was reported as a <see cref="SkippedRecord"/>).</param>
/// <param name="Files">Full paths of the files written, data files first.</param>
public sealed record ConversionResult(string OutputPath, int Records, int Skipped, IReadOnlyList<string> Files)
{
    /// <summary>Full paths of the OFRecord parts written without a record (more parts than records).</summary>
    public IReadOnlyList<string> EmptyParts { get; init; } = [];
}

namespace InsightFace.Engine.Import;

/// <summary>A state dict does not fit a model: keys missing, keys extra, or shapes different. Nothing was loaded.</summary>
public sealed class StateDictMismatchException : InsightFaceException
{
    /// <summary>Creates the exception from the comparison in <paramref name="report"/>.</summary>
    public StateDictMismatchException(string source, StateDictLoadReport report)
        : base(ErrorIds.StateDictMismatch, $"State dict '{source}' does not match the model ({report.Missing.Count} missing, {report.Unexpected.Count} unexpected, " +
               $"{report.ShapeMismatches.Count} with other shapes); nothing was loaded. Load with strict off to take the matching entries." +
               report.Describe())
        => Report = report;

    /// <summary>What differs.</summary>
    public StateDictLoadReport Report { get; }
}

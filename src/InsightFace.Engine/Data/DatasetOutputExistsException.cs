namespace InsightFace.Engine.Data;

/// <summary>A writer found an existing dataset where it was asked to write, and overwriting was not allowed.</summary>
public sealed class DatasetOutputExistsException : DatasetException
{
    /// <summary>Creates the exception for the existing file <paramref name="existingPath"/>.</summary>
    public DatasetOutputExistsException(string existingPath, string message)
        : base(ErrorIds.DatasetOutputExists, existingPath, message)
    {
    }
}

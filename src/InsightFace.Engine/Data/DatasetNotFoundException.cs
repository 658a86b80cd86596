namespace InsightFace.Engine.Data;

/// <summary>A path holds no dataset: it does not exist, or it has no images, identities or parts.</summary>
public sealed class DatasetNotFoundException : DatasetException
{
    /// <summary>Creates the exception for <paramref name="path"/>.</summary>
    public DatasetNotFoundException(string errorId, string path, string message)
        : base(errorId, path, message)
    {
    }
}

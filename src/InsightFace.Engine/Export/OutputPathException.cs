namespace InsightFace.Engine.Export;

/// <summary>
/// An output's folder cannot be made: a file stands where a folder of the path should be, or folders cannot be
/// created there. Missing folders themselves are no error: writers create them.
/// </summary>
public sealed class OutputPathException : InsightFaceException
{
    /// <summary>Creates the exception for <paramref name="path"/>, wrapping what the file system said.</summary>
    public OutputPathException(string path, Exception inner)
        : base(ErrorIds.OutputPathUnusable,
            $"Cannot write {path}: its folder cannot be created ({inner.Message}). Expected a path whose existing parts are folders you may write in.", inner) =>
        Path = path;

    /// <summary>The output that cannot be written.</summary>
    public string Path { get; }
}

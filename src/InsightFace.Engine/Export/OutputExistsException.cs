namespace InsightFace.Engine.Export;

/// <summary>An output file already exists and overwriting it was not asked for (<c>-Force</c>).</summary>
public sealed class OutputExistsException : InsightFaceException
{
    /// <summary>Creates the exception for <paramref name="path"/>.</summary>
    public OutputExistsException(string path)
        : base(ErrorIds.OutputExists, $"Output file '{path}' already exists. Use -Force to overwrite it.") => Path = path;

    /// <summary>The existing file.</summary>
    public string Path { get; }
}

namespace InsightFace.Engine.Data;

/// <summary>
/// Writes a dataset's files under <c>&lt;folder&gt;/_temporary</c> and moves them into the folder only once all
/// of them are complete, so an interrupted or failed write never leaves a file that looks complete but is not.
/// Disposing without <see cref="Commit"/> removes the staged files.
/// </summary>
internal sealed class StagedOutput : IDisposable
{
    /// <summary>The staging folder's name, as Hadoop/Spark output committers name theirs.</summary>
    public const string StagingFolderName = "_temporary";

    private readonly string _staging;
    private bool _committed;

    /// <summary>Creates <paramref name="folder"/> if needed and an empty staging folder inside it.</summary>
    public StagedOutput(string folder)
    {
        Folder = Path.GetFullPath(folder);
        Directory.CreateDirectory(Folder);
        _staging = Path.Combine(Folder, StagingFolderName);
        // A staging folder left by a killed run holds only incomplete files of ours.
        if (Directory.Exists(_staging)) Directory.Delete(_staging, recursive: true);
        Directory.CreateDirectory(_staging);
    }

    /// <summary>The output folder.</summary>
    public string Folder { get; }

    /// <summary>Where to write <paramref name="fileName"/> until it is committed.</summary>
    public string StagingPath(string fileName) => Path.Combine(_staging, fileName);

    /// <summary>The final path of <paramref name="fileName"/>.</summary>
    public string FinalPath(string fileName) => Path.Combine(Folder, fileName);

    /// <summary>Moves the staged <paramref name="fileNames"/> into the folder, in order, replacing files of the same name.</summary>
    public void Commit(IEnumerable<string> fileNames)
    {
        foreach (var name in fileNames) File.Move(StagingPath(name), FinalPath(name), overwrite: true);
        _committed = true;
        Directory.Delete(_staging, recursive: true);
    }

    /// <summary>Removes whatever is still staged.</summary>
    public void Dispose()
    {
        if (_committed || !Directory.Exists(_staging)) return;
        try
        {
            Directory.Delete(_staging, recursive: true);
        }
        catch (IOException)
        {
            // Best effort: the staging folder holds no file a reader would take for a complete one.
        }
    }
}

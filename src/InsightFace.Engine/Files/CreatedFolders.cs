namespace InsightFace.Engine.Files;

/// <summary>
/// The folders a writer creates on the way to its output. Every writer creates the folders its output needs, and a
/// write that fails or is cancelled removes the ones it created (while they are empty), so that it leaves the
/// place as it found it.
/// </summary>
internal sealed class CreatedFolders : IDisposable
{
    private readonly List<string> _created = new(); // deepest first
    private bool _kept;

    private CreatedFolders()
    {
    }

    /// <summary>Creates <paramref name="folder"/> and every missing folder above it.</summary>
    /// <exception cref="IOException">A file stands where a folder should go, or the disk refused.</exception>
    /// <exception cref="UnauthorizedAccessException">A folder cannot be created there.</exception>
    public static CreatedFolders Create(string folder)
    {
        var created = new CreatedFolders();
        for (var f = new DirectoryInfo(Path.GetFullPath(folder)); f is not null && !f.Exists; f = f.Parent)
            created._created.Add(f.FullName);
        try
        {
            Directory.CreateDirectory(folder);
        }
        catch
        {
            created.Dispose();
            throw;
        }
        return created;
    }

    /// <summary>The write succeeded: the folders stay.</summary>
    public void Keep() => _kept = true;

    /// <summary>Unless kept, removes the created folders, deepest first, stopping at one that is not empty.</summary>
    public void Dispose()
    {
        if (_kept) return;
        foreach (var folder in _created.Where(Directory.Exists))
        {
            try
            {
                Directory.Delete(folder, recursive: false);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // Something else now lives there: it stays, and so do the folders above it.
                return;
            }
        }
    }
}

using InsightFace.Engine.Files;

namespace InsightFace.Engine.Data;

/// <summary>
/// Writes a dataset's files into a staging folder of its own inside the output folder (<c>.staging-ID</c>), and
/// commits them as a unit: every staged file and the staging folder are flushed to disk, the old dataset's claim to
/// completeness is withdrawn, and the new files are moved in with the one that completes the dataset last
/// (<c>_SUCCESS</c>, <c>train.idx</c>). After a crash at any point the folder holds the old dataset, an incomplete
/// one that no reader takes for complete, or the new one; never a new file beside an old one it must match.
/// Disposing without <see cref="Commit"/> removes the staged files and the folders it created, so a failed or
/// cancelled write leaves the output location as it was.
/// </summary>
/// <remarks>
/// Each staging folder holds a lock file while its writer lives, so a later writer removes only the staging folders
/// that a killed process left, never one in use or a folder of the user's (Spark's own <c>_temporary</c>, say).
/// </remarks>
internal sealed class StagedOutput : IDisposable
{
    /// <summary>The start of a staging folder's name; hidden, as Hadoop and Spark readers skip hidden files.</summary>
    public const string StagingPrefix = ".staging-";

    private const string LockFileName = ".lock";
    private readonly CreatedFolders _created;
    private readonly string _staging;
    private readonly FileStream _lock;
    private bool _committed;

    /// <summary>
    /// Creates <paramref name="folder"/> and the folders above it if needed (removed again unless committed) and an
    /// empty staging folder inside it.
    /// </summary>
    public StagedOutput(string folder)
    {
        Folder = Path.GetFullPath(folder);
        _created = CreatedFolders.Create(Folder);
        try
        {
            RemoveAbandonedStaging(Folder);
            _staging = Path.Combine(Folder, StagingPrefix + Guid.NewGuid().ToString("N"));
            Directory.CreateDirectory(_staging);
            _lock = Lock(_staging) ?? throw new IOException($"Cannot lock the new staging folder {_staging}.");
        }
        catch
        {
            _created.Dispose();
            throw;
        }
    }

    /// <summary>The output folder.</summary>
    public string Folder { get; }

    /// <summary>Where to write <paramref name="fileName"/> until it is committed.</summary>
    public string StagingPath(string fileName) => Path.Combine(_staging, fileName);

    /// <summary>The final path of <paramref name="fileName"/>.</summary>
    public string FinalPath(string fileName) => Path.Combine(Folder, fileName);

    /// <summary>Whether <paramref name="name"/> (a file or folder in an output folder) is a writer's staging folder.</summary>
    public static bool IsStaging(string name) => name.StartsWith(StagingPrefix, StringComparison.Ordinal);

    /// <summary>
    /// Refuses, unless <paramref name="force"/>, a folder that holds anything but writers' staging folders: a dataset
    /// written there would stand among files that are not its own. With <paramref name="force"/> the dataset is
    /// written beside them, and they are kept.
    /// </summary>
    /// <exception cref="DatasetOutputExistsException">The folder holds other files or folders.</exception>
    public static void RefuseOtherFiles(string folder, bool force)
    {
        if (force || !Directory.Exists(folder)) return;
        var others = Directory.EnumerateFileSystemEntries(folder).Where(e => !IsStaging(Path.GetFileName(e))).Order(StringComparer.Ordinal).ToList();
        if (others.Count == 0) return;
        var names = string.Join(", ", others.Take(3).Select(Path.GetFileName)) + (others.Count > 3 ? $" and {others.Count - 3} more" : "");
        throw new DatasetOutputExistsException(others[0],
            $"{folder} holds files that are not a dataset of this format ({names}); expected an empty or new output folder, or Force to write the dataset beside them (they are kept).");
    }

    /// <summary>
    /// Flushes the staged files to disk, deletes <paramref name="withdrawn"/> from the folder (the old dataset's
    /// marker first, then files the new one does not replace), and moves the staged <paramref name="fileNames"/> in,
    /// in order, replacing files of the same name: the last one should be the file that completes the dataset.
    /// </summary>
    public void Commit(IEnumerable<string> withdrawn, IReadOnlyList<string> fileNames)
    {
        foreach (var name in fileNames) Durable.FlushFile(StagingPath(name));
        Durable.FlushFolder(_staging);
        foreach (var name in withdrawn) File.Delete(FinalPath(name));
        Durable.FlushFolder(Folder);
        CrashPoint.Reached("dataset-old-withdrawn", Folder);
        foreach (var name in fileNames)
        {
            if (name == fileNames[^1]) CrashPoint.Reached("dataset-before-last-file", Folder);
            File.Move(StagingPath(name), FinalPath(name), overwrite: true);
        }
        Durable.FlushFolder(Folder);
        _committed = true;
        _created.Keep();
        Remove(_staging, _lock);
    }

    /// <summary>Removes whatever is still staged, and the folders this output created.</summary>
    public void Dispose()
    {
        if (_committed) return;
        try
        {
            Remove(_staging, _lock);
        }
        catch (IOException)
        {
            // Best effort: the staging folder holds no file a reader would take for a complete one.
        }
        _created.Dispose();
    }

    // Staging folders whose lock can be taken belong to no living writer: a killed one left them.
    private static void RemoveAbandonedStaging(string folder)
    {
        foreach (var staging in Directory.EnumerateDirectories(folder, StagingPrefix + "*"))
            if (Lock(staging) is { } abandoned) Remove(staging, abandoned);
    }

    // The staging folder's lock file, held without sharing (flock on Linux); null while another writer holds it.
    private static FileStream? Lock(string staging)
    {
        try
        {
            return new FileStream(Path.Combine(staging, LockFileName), FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
        }
        catch (IOException)
        {
            return null;
        }
    }

    private static void Remove(string staging, FileStream heldLock)
    {
        using (heldLock) Directory.Delete(staging, recursive: true);
    }
}

namespace InsightFace.Engine.Training;

/// <summary>
/// Keeps two trainings out of one run folder: an exclusive lock on the folder's <c>.training.lock</c>, held from
/// set-up to the end of the run and released however it ends (the operating system releases it too when the
/// process dies). The holder writes its process id beside it, so that the next one can say who holds it.
/// </summary>
/// <remarks>
/// The lock file itself stays: deleting it on release would let a process that opened the old file and one that
/// creates a new file both think they hold the lock.
/// </remarks>
internal sealed class RunFolderLock : IDisposable
{
    /// <summary>The file that is locked.</summary>
    public const string LockFileName = ".training.lock";

    /// <summary>The holder's process id and host, for error messages; deleted on release.</summary>
    public const string OwnerFileName = ".training.lock.owner";

    private readonly FileStream _lock;
    private readonly string _folder;
    private readonly bool _createdFolder;
    private bool _released;

    private RunFolderLock(string folder, FileStream handle, bool createdFolder)
    {
        _folder = folder;
        _lock = handle;
        _createdFolder = createdFolder;
    }

    /// <summary>True for the lock's own files, which replacing a run keeps.</summary>
    public static bool IsLockFile(string name) => name is LockFileName or OwnerFileName;

    /// <summary>Takes the lock on <paramref name="folder"/>, creating the folder if it does not exist.</summary>
    /// <exception cref="TrainingException">RunFolderLocked: another training holds it.</exception>
    public static RunFolderLock Acquire(string folder)
    {
        var created = !Directory.Exists(folder);
        Directory.CreateDirectory(folder);
        FileStream handle;
        try
        {
            handle = new FileStream(Path.Combine(folder, LockFileName), FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
        }
        catch (IOException e) when (e is not FileNotFoundException and not DirectoryNotFoundException)
        {
            throw Locked(folder, e);
        }
        File.WriteAllText(Path.Combine(folder, OwnerFileName), $"{Environment.ProcessId} {Environment.MachineName}\n");
        return new RunFolderLock(folder, handle, created);
    }

    /// <summary>Throws when another training holds <paramref name="folder"/>; creates and changes nothing.</summary>
    /// <exception cref="TrainingException">RunFolderLocked: another training holds it.</exception>
    public static void ThrowIfHeld(string folder)
    {
        var path = Path.Combine(folder, LockFileName);
        if (!File.Exists(path)) return;
        try
        {
            using var probe = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.None);
        }
        catch (IOException e) when (e is not FileNotFoundException and not DirectoryNotFoundException)
        {
            throw Locked(folder, e);
        }
    }

    /// <summary>Releases the lock.</summary>
    public void Dispose()
    {
        if (_released) return;
        _released = true;
        File.Delete(Path.Combine(_folder, OwnerFileName));
        _lock.Dispose();
    }

    /// <summary>Releases the lock after a run failed to start, and removes the run folder if taking the lock created it.</summary>
    public void DisposeAfterFailedStart()
    {
        Dispose();
        if (_createdFolder) Directory.Delete(_folder, recursive: true);
    }

    private static TrainingException Locked(string folder, IOException cause)
    {
        string holder;
        try
        {
            var owner = File.ReadAllText(Path.Combine(folder, OwnerFileName)).Split(' ', 2, StringSplitOptions.TrimEntries);
            holder = $"process id {owner[0]}{(owner.Length > 1 ? $" on {owner[1]}" : "")}";
        }
        catch (IOException)
        {
            holder = "another process";
        }
        return new TrainingException(ErrorIds.RunFolderLocked,
            $"{folder} is in use by another training ({holder}). Wait for it to finish or stop it, or train into another folder.", cause);
    }
}

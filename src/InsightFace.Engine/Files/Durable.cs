using System.Runtime.InteropServices;

namespace InsightFace.Engine.Files;

/// <summary>
/// Forces written data to disk before it is renamed into view, and the rename itself after, so that after a crash or
/// a power cut a name points either at the old complete data or at the new complete data, never at a file the
/// kernel had not written yet.
/// </summary>
internal static partial class Durable
{
    /// <summary>Flushes the file at <paramref name="path"/> to disk.</summary>
    public static void FlushFile(string path)
    {
        using var handle = File.OpenHandle(path, FileMode.Open, FileAccess.Read);
        RandomAccess.FlushToDisk(handle);
    }

    /// <summary>Flushes a folder's entries (names created, renamed or removed in it) to disk. A no-op off Linux.</summary>
    public static void FlushFolder(string folder)
    {
        if (!OperatingSystem.IsLinux()) return;
        // .NET opens no handle on a folder, so fsync(2) it through libc.
        var fd = open(folder, 0 /* O_RDONLY */);
        if (fd < 0) throw new IOException($"Cannot open folder {folder} to flush it (errno {Marshal.GetLastPInvokeError()}).");
        try
        {
            if (fsync(fd) != 0) throw new IOException($"Flushing folder {folder} to disk failed (errno {Marshal.GetLastPInvokeError()}).");
        }
        finally
        {
            close(fd);
        }
    }

    /// <summary>Flushes every file and folder under <paramref name="folder"/>, and the folder itself.</summary>
    public static void FlushTree(string folder)
    {
        foreach (var file in Directory.EnumerateFiles(folder, "*", SearchOption.AllDirectories)) FlushFile(file);
        foreach (var sub in Directory.EnumerateDirectories(folder, "*", SearchOption.AllDirectories)) FlushFolder(sub);
        FlushFolder(folder);
    }

    [LibraryImport("libc", EntryPoint = "open", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    private static partial int open(string path, int flags);

    [LibraryImport("libc", EntryPoint = "fsync", SetLastError = true)]
    private static partial int fsync(int fd);

    [LibraryImport("libc", EntryPoint = "close")]
    private static partial int close(int fd);
}

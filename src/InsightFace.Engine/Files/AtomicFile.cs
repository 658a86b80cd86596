using InsightFace.Engine.Export;

namespace InsightFace.Engine.Files;

/// <summary>
/// Writes a file whole or not at all: under a hidden temporary name beside it, flushed to disk, then renamed over
/// its final name, and the rename flushed too. A reader never sees a half-written file, and after a crash the name
/// holds either the old file or the new one.
/// </summary>
internal static class AtomicFile
{
    /// <summary>
    /// Writes <paramref name="path"/> with <paramref name="write"/>; an existing file is replaced only when
    /// <paramref name="overwrite"/> is set, and is otherwise refused with <paramref name="whenExists"/>'s exception
    /// (an <see cref="OutputExistsException"/> by default).
    /// </summary>
    public static void Write(string path, bool overwrite, Action<Stream> write, Func<Exception>? whenExists = null)
    {
        path = Path.GetFullPath(path);
        Exception Exists() => whenExists?.Invoke() ?? new OutputExistsException(path);
        if (!overwrite && File.Exists(path)) throw Exists();
        var folder = Path.GetDirectoryName(path)!;
        var temporary = Path.Combine(folder, $".{Path.GetFileName(path)}.{Guid.NewGuid():N}.tmp");
        try
        {
            using (var stream = new FileStream(temporary, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.None, 1 << 16))
            {
                write(stream);
                stream.Flush(flushToDisk: true);
            }
            try
            {
                File.Move(temporary, path, overwrite);
            }
            catch (IOException) when (!overwrite && File.Exists(path))
            {
                // Another writer created the file between the check and the rename.
                throw Exists();
            }
            Durable.FlushFolder(folder);
        }
        finally
        {
            File.Delete(temporary);
        }
    }

    /// <summary>Copies <paramref name="source"/> to <paramref name="path"/>, replacing it, whole or not at all.</summary>
    public static void Copy(string source, string path) => Write(path, overwrite: true, stream =>
    {
        using var input = File.OpenRead(source);
        input.CopyTo(stream);
    });
}

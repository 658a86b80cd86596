using InsightFace.Engine.Export;

namespace InsightFace.Engine.Files;

/// <summary>
/// Writes a file whole or not at all: under a hidden temporary name beside it, flushed to disk, then renamed over
/// its final name, and the rename flushed too. A reader never sees a half-written file, and after a crash the name
/// holds either the old file or the new one. Missing folders on the way are created, and removed again when the
/// write does not happen.
/// </summary>
internal sealed class AtomicFile : IDisposable
{
    private readonly string _path;
    private readonly bool _overwrite;
    private readonly Func<Exception> _exists;
    private readonly CreatedFolders _created;

    private AtomicFile(string path, bool overwrite, Func<Exception> exists, CreatedFolders created)
    {
        _path = path;
        _overwrite = overwrite;
        _exists = exists;
        _created = created;
    }

    /// <summary>
    /// Claims <paramref name="path"/> before the work that produces it: an existing file is refused unless
    /// <paramref name="overwrite"/> is set (with <paramref name="whenExists"/>'s exception, an
    /// <see cref="OutputExistsException"/> by default), and missing folders are created (and removed again on
    /// <see cref="Dispose"/> unless <see cref="Commit"/> wrote the file).
    /// </summary>
    /// <exception cref="OutputPathException">A folder of the path cannot be created.</exception>
    public static AtomicFile Begin(string path, bool overwrite, Func<Exception>? whenExists = null)
    {
        path = Path.GetFullPath(path);
        Func<Exception> exists = whenExists ?? (() => new OutputExistsException(path));
        if (!overwrite && File.Exists(path)) throw exists();
        try
        {
            return new AtomicFile(path, overwrite, exists, CreatedFolders.Create(Path.GetDirectoryName(path)!));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new OutputPathException(path, e);
        }
    }

    /// <summary>Writes <paramref name="path"/> with <paramref name="write"/> (see <see cref="Begin"/>).</summary>
    public static void Write(string path, bool overwrite, Action<Stream> write, Func<Exception>? whenExists = null)
    {
        using var file = Begin(path, overwrite, whenExists);
        file.Commit(write);
    }

    /// <summary>Copies <paramref name="source"/> to <paramref name="path"/>, replacing it, whole or not at all.</summary>
    public static void Copy(string source, string path) => Write(path, overwrite: true, stream =>
    {
        using var input = File.OpenRead(source);
        input.CopyTo(stream);
    });

    /// <summary>Writes the file with <paramref name="write"/> and renames it into place.</summary>
    public void Commit(Action<Stream> write)
    {
        var folder = Path.GetDirectoryName(_path)!;
        var temporary = Path.Combine(folder, $".{Path.GetFileName(_path)}.{Guid.NewGuid():N}.tmp");
        try
        {
            using (var stream = new FileStream(temporary, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.None, 1 << 16))
            {
                write(stream);
                stream.Flush(flushToDisk: true);
            }
            try
            {
                File.Move(temporary, _path, _overwrite);
            }
            catch (IOException) when (!_overwrite && File.Exists(_path))
            {
                // Another writer created the file between the check and the rename.
                throw _exists();
            }
            Durable.FlushFolder(folder);
            _created.Keep();
        }
        finally
        {
            File.Delete(temporary);
        }
    }

    /// <summary>Removes the folders <see cref="Begin"/> created, unless the file was written.</summary>
    public void Dispose() => _created.Dispose();
}

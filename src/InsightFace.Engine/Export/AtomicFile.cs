namespace InsightFace.Engine.Export;

/// <summary>Writes a file under a temporary name beside it and renames it when complete, so no half-written file is ever seen.</summary>
internal static class AtomicFile
{
    /// <summary>Writes <paramref name="path"/> with <paramref name="write"/>; an existing file is replaced only when <paramref name="overwrite"/> is set.</summary>
    /// <exception cref="OutputExistsException">The file exists and <paramref name="overwrite"/> is false.</exception>
    public static void Write(string path, bool overwrite, Action<Stream> write)
    {
        path = System.IO.Path.GetFullPath(path);
        if (!overwrite && File.Exists(path)) throw new OutputExistsException(path);
        var temporary = $"{path}.{Guid.NewGuid():N}.tmp";
        try
        {
            using (var stream = new FileStream(temporary, FileMode.CreateNew, FileAccess.ReadWrite))
                write(stream);
            try
            {
                File.Move(temporary, path, overwrite);
            }
            catch (IOException) when (!overwrite && File.Exists(path))
            {
                // Another writer created the file between the check and the rename.
                throw new OutputExistsException(path);
            }
        }
        finally
        {
            File.Delete(temporary);
        }
    }
}

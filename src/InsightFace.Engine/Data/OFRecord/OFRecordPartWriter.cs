using Microsoft.Win32.SafeHandles;

namespace InsightFace.Engine.Data.OFRecord;

/// <summary>
/// Writes one OFRecord part. Records are encoded straight into a large chunk that is written with one call: no
/// second copy through a stream buffer, and a few hundred system calls per gigabyte instead of one per record.
/// </summary>
internal sealed class OFRecordPartWriter : IDisposable
{
    private const int ChunkSize = 4 << 20;
    private readonly string _path;
    private readonly SafeFileHandle _handle;
    private byte[] _chunk = new byte[ChunkSize];
    private int _used;
    private long _fileOffset;

    /// <summary>Creates the part file at <paramref name="path"/>; it must not exist yet.</summary>
    public OFRecordPartWriter(string path)
    {
        _path = path;
        _handle = OutputGuard.Run(path, () => File.OpenHandle(path, FileMode.CreateNew, FileAccess.Write));
    }

    /// <summary>Appends one framed record and returns the bytes it takes in the file.</summary>
    public int Append(ReadOnlySpan<byte> image, int label)
    {
        var length = OFRecordEncoder.FramedLength(image.Length, label);
        if (_used + length > _chunk.Length)
        {
            WriteChunk();
            if (length > _chunk.Length) _chunk = new byte[length];
        }
        _used += OFRecordEncoder.Encode(_chunk.AsSpan(_used), image, label);
        return length;
    }

    /// <summary>
    /// Writes what is buffered, then flushes the file to disk and closes it in the background, so the wait for the
    /// disk overlaps the next part's writing. The task fails with a <see cref="DatasetWriteException"/> naming the file.
    /// </summary>
    public Task CompleteAsync()
    {
        WriteChunk();
        return Task.Run(() =>
        {
            OutputGuard.Run(_path, () => RandomAccess.FlushToDisk(_handle));
            _handle.Dispose();
        });
    }

    /// <summary>Closes the file without flushing (after a failure; the staged part is removed with its folder).</summary>
    public void Dispose() => _handle.Dispose();

    private void WriteChunk()
    {
        try
        {
            RandomAccess.Write(_handle, _chunk.AsSpan(0, _used), _fileOffset);
        }
        catch (Exception e) when (OutputGuard.IsWriteFailure(e))
        {
            throw OutputGuard.Failure(_path, e);
        }
        _fileOffset += _used;
        _used = 0;
    }
}

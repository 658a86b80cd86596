namespace InsightFace.Engine.Data;

/// <summary>Turns an I/O or permission failure while writing a dataset file into a <see cref="DatasetWriteException"/> naming that file.</summary>
internal static class OutputGuard
{
    /// <summary>Runs <paramref name="write"/>, which writes <paramref name="path"/>.</summary>
    public static void Run(string path, Action write) => Run(path, () =>
    {
        write();
        return 0;
    });

    /// <summary>Runs <paramref name="write"/>, which writes <paramref name="path"/>, and returns its result.</summary>
    public static T Run<T>(string path, Func<T> write)
    {
        try
        {
            return write();
        }
        catch (Exception e) when (IsWriteFailure(e))
        {
            throw Failure(path, e);
        }
    }

    /// <summary>Whether <paramref name="e"/> is a failure this guard translates.</summary>
    public static bool IsWriteFailure(Exception e) => e is IOException or UnauthorizedAccessException;

    /// <summary>The error for a failed write of <paramref name="path"/>, for callers that cannot pass a lambda (spans).</summary>
    public static DatasetWriteException Failure(string path, Exception e) =>
        new(path, $"Writing {path} failed: {e.Message} The partial output was removed; nothing in the output folder claims to be complete.", e);
}

namespace InsightFace.Engine;

/// <summary>
/// What kind of failure an error id stands for. Each member is named after the PowerShell <c>ErrorCategory</c> that
/// the cmdlets report it as; the engine itself knows nothing of PowerShell.
/// </summary>
public enum ErrorKind
{
    /// <summary>A value the user gave (a config key, a parameter) is wrong.</summary>
    InvalidArgument,
    /// <summary>A file's content is malformed or inconsistent.</summary>
    InvalidData,
    /// <summary>A file, folder or named thing does not exist.</summary>
    ObjectNotFound,
    /// <summary>An output exists and overwriting it was not allowed.</summary>
    ResourceExists,
    /// <summary>A device or resource cannot be used on this machine.</summary>
    ResourceUnavailable,
    /// <summary>A feature this version does not have.</summary>
    NotImplemented,
    /// <summary>Reading or writing a file failed (disk full, I/O error).</summary>
    WriteError,
    /// <summary>The file system refused access.</summary>
    PermissionDenied,
    /// <summary>The work ran, but its result is not good enough (a verification gate, an export check).</summary>
    InvalidResult,
    /// <summary>The operation cannot go on in the state it found.</summary>
    InvalidOperation,
    /// <summary>The operation was stopped before it finished.</summary>
    OperationStopped,
}

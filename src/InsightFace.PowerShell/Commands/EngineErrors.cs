using System.Management.Automation;
using InsightFace.Engine;

namespace InsightFace.PowerShell.Commands;

/// <summary>
/// Turns the errors the cmdlets report into ErrorRecords: the engine's own (<see cref="InsightFaceException"/>, with
/// their stable ids) and the few .NET failures a cmdlet can expect (files, permissions, cancellation). Every id and its
/// category come from <see cref="ErrorIds"/>.
/// </summary>
internal static class EngineErrors
{
    /// <summary>Whether <paramref name="e"/> is reported as an error with an id; any other exception is a bug and passes through.</summary>
    public static bool IsReported(Exception e) =>
        e is InsightFaceException or IOException or UnauthorizedAccessException or OperationCanceledException;

    /// <summary>An ErrorRecord for a reported exception, with its id and category.</summary>
    public static ErrorRecord ToErrorRecord(Exception exception, object? target) => NewErrorRecord(IdOf(exception), exception, target);

    /// <summary>An ErrorRecord with <paramref name="errorId"/> (one of <see cref="ErrorIds"/>) and that id's category.</summary>
    public static ErrorRecord NewErrorRecord(string errorId, Exception exception, object? target) =>
        new(exception, errorId, CategoryOf(ErrorIds.KindOf(errorId)), target);

    /// <summary>The id of a reported exception.</summary>
    public static string IdOf(Exception e) => e switch
    {
        InsightFaceException engine => engine.ErrorId,
        FileNotFoundException => ErrorIds.FileNotFound,
        DirectoryNotFoundException => ErrorIds.DirectoryNotFound,
        IOException => ErrorIds.IOError,
        UnauthorizedAccessException => ErrorIds.UnauthorizedAccess,
        OperationCanceledException => ErrorIds.OperationStopped,
        _ => throw new ArgumentException($"{e.GetType()} is not an error the cmdlets report.", nameof(e)),
    };

    private static ErrorCategory CategoryOf(ErrorKind kind) => kind switch
    {
        ErrorKind.InvalidArgument => ErrorCategory.InvalidArgument,
        ErrorKind.InvalidData => ErrorCategory.InvalidData,
        ErrorKind.ObjectNotFound => ErrorCategory.ObjectNotFound,
        ErrorKind.ResourceExists => ErrorCategory.ResourceExists,
        ErrorKind.ResourceUnavailable => ErrorCategory.ResourceUnavailable,
        ErrorKind.NotImplemented => ErrorCategory.NotImplemented,
        ErrorKind.WriteError => ErrorCategory.WriteError,
        ErrorKind.PermissionDenied => ErrorCategory.PermissionDenied,
        ErrorKind.InvalidResult => ErrorCategory.InvalidResult,
        ErrorKind.InvalidOperation => ErrorCategory.InvalidOperation,
        ErrorKind.OperationStopped => ErrorCategory.OperationStopped,
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, null),
    };
}

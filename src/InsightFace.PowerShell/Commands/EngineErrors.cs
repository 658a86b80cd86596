using System.Management.Automation;

namespace InsightFace.PowerShell.Commands;

/// <summary>Maps engine exceptions to ErrorRecord ids and categories.</summary>
internal static class EngineErrors
{
    /// <summary>The exception's own ErrorId property when it has one, else its type name without "Exception".</summary>
    public static string IdOf(Exception e) =>
        e.GetType().GetProperty("ErrorId")?.GetValue(e) as string is { Length: > 0 } id
            ? id
            : e is OperationCanceledException ? "OperationStopped" : e.GetType().Name.Replace("Exception", "");

    /// <summary>The category PowerShell users filter on, from the kind of failure.</summary>
    public static ErrorCategory CategoryOf(Exception e)
    {
        var name = e.GetType().Name;
        return e switch
        {
            OperationCanceledException => ErrorCategory.OperationStopped,
            _ when name.Contains("NotFound", StringComparison.Ordinal) => ErrorCategory.ObjectNotFound,
            _ when name.Contains("Exists", StringComparison.Ordinal) => ErrorCategory.ResourceExists,
            _ when name.Contains("Unavailable", StringComparison.Ordinal) => ErrorCategory.ResourceUnavailable,
            _ when name.Contains("Format", StringComparison.Ordinal) || name.Contains("Decode", StringComparison.Ordinal) => ErrorCategory.InvalidData,
            NotSupportedException => ErrorCategory.NotImplemented,
            ArgumentException => ErrorCategory.InvalidArgument,
            IOException or UnauthorizedAccessException => ErrorCategory.WriteError,
            _ => ErrorCategory.InvalidOperation,
        };
    }
}

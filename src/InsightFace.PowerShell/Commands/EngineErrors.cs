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

    /// <summary>The category PowerShell users filter on, from the kind of failure its id or type names.</summary>
    public static ErrorCategory CategoryOf(Exception e)
    {
        var name = IdOf(e) + " " + e.GetType().Name;
        bool Says(string word) => name.Contains(word, StringComparison.Ordinal);
        return e switch
        {
            OperationCanceledException => ErrorCategory.OperationStopped,
            _ when Says("NotFound") => ErrorCategory.ObjectNotFound,
            _ when Says("Config") => ErrorCategory.InvalidArgument,
            _ when Says("Exists") => ErrorCategory.ResourceExists,
            _ when Says("Unavailable") => ErrorCategory.ResourceUnavailable,
            _ when Says("Format") || Says("Decode") || Says("Truncated") || Says("Invalid") || Says("Mismatch") || Says("NotPickle") || Says("Unexpected") => ErrorCategory.InvalidData,
            NotSupportedException => ErrorCategory.NotImplemented,
            ArgumentException => ErrorCategory.InvalidArgument,
            IOException or UnauthorizedAccessException => ErrorCategory.WriteError,
            _ => ErrorCategory.InvalidOperation,
        };
    }
}

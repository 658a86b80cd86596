using System.Management.Automation;

namespace InsightFace.PowerShell.Commands;

/// <summary>
/// What every InsightFace cmdlet shares: Ctrl+C as a cancellation token for the engine, provider-aware paths, and
/// engine exceptions turned into ErrorRecords with stable ids.
/// </summary>
public abstract class InsightFaceCmdlet : PSCmdlet
{
    // Not disposed: a CancellationTokenSource without timers holds nothing that needs it.
    private readonly CancellationTokenSource _stop = new();

    /// <summary>Cancelled when the user presses Ctrl+C; the engine checks it between steps.</summary>
    protected CancellationToken StopToken => _stop.Token;

    /// <inheritdoc />
    protected override void StopProcessing() => _stop.Cancel();

    /// <summary>Resolves input paths (wildcards unless <paramref name="literal"/>) to existing file-system paths.</summary>
    protected IReadOnlyList<string> ResolveInputPaths(string path, bool literal)
    {
        if (literal)
        {
            var resolved = SessionState.Path.GetUnresolvedProviderPathFromPSPath(path);
            if (!File.Exists(resolved) && !Directory.Exists(resolved))
                ThrowTerminatingError(new ErrorRecord(new ItemNotFoundException($"Cannot find path '{resolved}' because it does not exist."),
                    "PathNotFound", ErrorCategory.ObjectNotFound, path));
            return new[] { resolved };
        }
        try
        {
            var paths = GetResolvedProviderPathFromPSPath(path, out var provider);
            if (provider.Name != "FileSystem")
                ThrowTerminatingError(new ErrorRecord(new ArgumentException($"'{path}' is not a file-system path."),
                    "PathNotFileSystem", ErrorCategory.InvalidArgument, path));
            return paths;
        }
        catch (ItemNotFoundException e)
        {
            ThrowTerminatingError(new ErrorRecord(e, "PathNotFound", ErrorCategory.ObjectNotFound, path));
            throw;
        }
    }

    /// <summary>Resolves one existing input path; anything but exactly one match is an error.</summary>
    protected string ResolveInputPath(string path, bool literal = false)
    {
        var paths = ResolveInputPaths(path, literal);
        if (paths.Count != 1)
            ThrowTerminatingError(new ErrorRecord(new ArgumentException($"'{path}' matches {paths.Count} items; expected exactly one."),
                "PathAmbiguous", ErrorCategory.InvalidArgument, path));
        return paths[0];
    }

    /// <summary>Resolves an output path relative to the current PowerShell location.</summary>
    protected string ResolveOutputPath(string path) => SessionState.Path.GetUnresolvedProviderPathFromPSPath(path);

    /// <summary>Wraps an engine exception in an ErrorRecord with its stable id and category.</summary>
    protected static ErrorRecord ToErrorRecord(Exception exception, object? target) =>
        new(exception, EngineErrors.IdOf(exception), EngineErrors.CategoryOf(exception), target);
}

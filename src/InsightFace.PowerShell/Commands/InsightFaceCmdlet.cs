using System.Management.Automation;
using InsightFace.Engine;

namespace InsightFace.PowerShell.Commands;

/// <summary>
/// What every InsightFace cmdlet shares: Ctrl+C as a cancellation token for the engine, provider-aware paths, and one
/// way of reporting errors (<see cref="ReportErrors"/>, <see cref="StopOnErrors"/>) with the stable ids of
/// <see cref="ErrorIds"/>.
/// </summary>
public abstract class InsightFaceCmdlet : PSCmdlet
{
    // Not disposed: a CancellationTokenSource without timers holds nothing that needs it.
    private readonly CancellationTokenSource _stop = new();

    /// <summary>Cancelled when the user presses Ctrl+C; the engine checks it between steps.</summary>
    protected CancellationToken StopToken => _stop.Token;

    /// <inheritdoc />
    protected override void StopProcessing() => _stop.Cancel();

    /// <summary>Stops the engine's work as Ctrl+C does, for a stop that PowerShell does not send (SIGTERM, a closed pipeline).</summary>
    private protected void Stop() => _stop.Cancel();

    /// <summary>
    /// Runs <paramref name="work"/> for one item. An engine error, a file-system error or a cancellation becomes a
    /// non-terminating error on <paramref name="target"/>, so that the next item goes on; Ctrl+C stops the pipeline.
    /// </summary>
    /// <returns>Whether <paramref name="work"/> completed.</returns>
    protected bool ReportErrors(object? target, Action work) => Run(target, work, terminating: false);

    /// <summary>Runs <paramref name="work"/> as <see cref="ReportErrors"/> does, but an error ends the command.</summary>
    protected void StopOnErrors(object? target, Action work) => Run(target, work, terminating: true);

    private bool Run(object? target, Action work, bool terminating)
    {
        try
        {
            work();
            return true;
        }
        catch (OperationCanceledException) when (StopToken.IsCancellationRequested)
        {
            // Ctrl+C: the engine has cleaned up, and PowerShell is stopping the pipeline.
            throw new PipelineStoppedException();
        }
        catch (Exception e) when (EngineErrors.IsReported(e))
        {
            var record = EngineErrors.ToErrorRecord(e, target);
            if (terminating) ThrowTerminatingError(record);
            WriteError(record);
            return false;
        }
    }

    /// <summary>Resolves input paths (wildcards unless <paramref name="literal"/>) to existing file-system paths.</summary>
    protected IReadOnlyList<string> ResolveInputPaths(string path, bool literal)
    {
        if (literal)
        {
            var resolved = SessionState.Path.GetUnresolvedProviderPathFromPSPath(path);
            if (!File.Exists(resolved) && !Directory.Exists(resolved))
                ThrowTerminatingError(NewErrorRecord(ErrorIds.PathNotFound,
                    new ItemNotFoundException($"Cannot find path '{resolved}' because it does not exist."), path));
            return new[] { resolved };
        }
        try
        {
            var paths = GetResolvedProviderPathFromPSPath(path, out var provider);
            if (provider.Name != "FileSystem")
                ThrowTerminatingError(NewErrorRecord(ErrorIds.PathNotFileSystem, new ArgumentException($"'{path}' is not a file-system path."), path));
            return paths;
        }
        catch (ItemNotFoundException e)
        {
            ThrowTerminatingError(NewErrorRecord(ErrorIds.PathNotFound, e, path));
            throw;
        }
    }

    /// <summary>Resolves one existing input path; anything but exactly one match is an error.</summary>
    protected string ResolveInputPath(string path, bool literal = false)
    {
        var paths = ResolveInputPaths(path, literal);
        if (paths.Count != 1)
            ThrowTerminatingError(NewErrorRecord(ErrorIds.PathAmbiguous,
                new ArgumentException($"'{path}' matches {paths.Count} items; expected exactly one."), path));
        return paths[0];
    }

    /// <summary>Resolves an output path relative to the current PowerShell location.</summary>
    protected string ResolveOutputPath(string path) => SessionState.Path.GetUnresolvedProviderPathFromPSPath(path);

    /// <summary>
    /// Writes the file at <paramref name="path"/> as Get-Item does: through the FileSystem provider, whose properties
    /// (PSPath, UnixStat) the FileInfo views need for their Mode, User, Group and Size columns.
    /// </summary>
    protected void WriteFileItem(string path) =>
        WriteObject(InvokeProvider.Item.Get(new[] { path }, force: true, literalPath: true), enumerateCollection: true);

    /// <summary>An ErrorRecord for an error the cmdlet itself finds, with <paramref name="errorId"/> and that id's category.</summary>
    protected static ErrorRecord NewErrorRecord(string errorId, Exception exception, object? target) =>
        EngineErrors.NewErrorRecord(errorId, exception, target);
}

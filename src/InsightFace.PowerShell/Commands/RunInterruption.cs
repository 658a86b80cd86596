using System.Management.Automation;
using System.Runtime.InteropServices;

namespace InsightFace.PowerShell.Commands;

/// <summary>
/// Stopping a long run so that it can be resumed, and ending it as the one who stopped it expects. Ctrl+C reaches the
/// run through PowerShell (StopProcessing cancels the cmdlet's token). SIGTERM, what CI systems, docker stop and
/// systemd send, would end the process at once (.NET's default): it is held back here, the run is stopped the same
/// way, and only once the run has saved its state and said so does .NET end the process, with exit code 143 as before.
/// </summary>
/// <remarks>
/// The run says so on the host's error output: once PowerShell stops a pipeline, its streams are closed. PowerShell
/// ends <c>pwsh -File</c> with exit code 0 when Ctrl+C stops the script (PowerShell issue 13523), which a CI step or a
/// shell script would take for success; there the exit code is set to 130, as a shell reports a program ended by
/// SIGINT. <c>pwsh -Command</c> already exits with 1, and an interactive session goes back to its prompt.
/// </remarks>
internal sealed class RunInterruption : IDisposable
{
    /// <summary>The exit code of a script stopped by Ctrl+C: 128 + SIGINT, as shells report it.</summary>
    public const int StoppedExitCode = 130;

    private readonly PSCmdlet _cmdlet;
    private readonly bool _runsScriptFile;
    private readonly PosixSignalRegistration _sigterm;
    private readonly ManualResetEventSlim _finished = new();
    private volatile bool _bySigterm;

    /// <summary>Starts holding SIGTERM back; <paramref name="stop"/> stops the run as Ctrl+C does.</summary>
    public RunInterruption(PSCmdlet cmdlet, Action stop)
    {
        _cmdlet = cmdlet;
        _runsScriptFile = RunsScriptFile(cmdlet);
        _sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, _ =>
        {
            _bySigterm = true;
            stop();
            // .NET ends the process when this handler returns, on its own thread: only once the run has finished.
            _finished.Wait();
        });
    }

    /// <summary>Tells the user that the run stopped and what it saved, and sets the exit code a stopped script needs.</summary>
    public void ReportStopped(string whatWasSaved)
    {
        var by = _bySigterm ? " by SIGTERM" : "";
        _cmdlet.Host.UI.WriteErrorLine($"{_cmdlet.MyInvocation.MyCommand.Name} was stopped{by}: {whatWasSaved}");
        if (!_bySigterm && _cmdlet.Stopping && _runsScriptFile) _cmdlet.Host.SetShouldExit(StoppedExitCode);
    }

    /// <summary>Lets a held SIGTERM end the process now.</summary>
    public void Dispose()
    {
        _sigterm.Dispose();
        _finished.Set();
    }

    // pwsh -File runs the script as the outermost command; -Command and an interactive prompt run a script block
    // around it. -NoExit keeps the session open after the script.
    private static bool RunsScriptFile(PSCmdlet cmdlet) =>
        cmdlet.Host.Name == "ConsoleHost"
        && cmdlet.InvokeCommand.InvokeScript("Get-PSCallStack").LastOrDefault()?.BaseObject is CallStackFrame { ScriptName.Length: > 0 }
        && !Environment.GetCommandLineArgs().Skip(1).Any(a => a.Length >= 4 && "-noexit".StartsWith(a, StringComparison.OrdinalIgnoreCase));
}

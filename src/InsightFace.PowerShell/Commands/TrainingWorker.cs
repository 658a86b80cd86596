using System.Collections;
using System.Management.Automation;
using System.Text;
using InsightFace.Engine.Distributed;

namespace InsightFace.PowerShell.Commands;

/// <summary>
/// The worker processes that <c>Start-FaceTraining</c> starts: through mpiexec for <c>-Processes N</c>, or one child
/// for a single-process training on Linux. Each is this pwsh, importing this module and running Start-FaceTraining
/// with the launcher's parameters as one rank of the job. A worker started so reports as worker events
/// (<see cref="WorkerEventWriter"/>) on its output, for the launcher to replay.
/// </summary>
internal static class TrainingWorker
{
    /// <summary>Set to 1 by the launcher: the ranks report as worker events instead of to their own host.</summary>
    public const string EventsVariable = "INSIGHTFACE_WORKER_EVENTS";

    // The job travels as CliXml, so that every value (a -Set hashtable, paths with quotes) arrives as it was.
    private const string Script = """
        $ErrorActionPreference = 'Stop'
        $ProgressPreference = 'SilentlyContinue'
        $PSStyle.OutputRendering = 'PlainText'
        $job = [Management.Automation.PSSerializer]::Deserialize([Text.Encoding]::UTF8.GetString([Convert]::FromBase64String('{0}')))
        Set-Location -LiteralPath $job.Location
        Import-Module $job.Module
        $parameters = $job.Parameters
        if ($parameters.Dataset) {{ $parameters.Dataset = [InsightFace.FaceDataset]$parameters.Dataset }}
        Start-FaceTraining @parameters
        """;

    /// <summary>
    /// glibc's variable that caps its arenas. At 1 every thread allocates from the main heap, which the engine's
    /// <see cref="Engine.Runtime.NativeHeap"/> keeps between steps. A pwsh pipeline thread otherwise gets an arena of
    /// its own, made of 64 MB heaps: a larger block is mapped and faulted in afresh at every step, and a heap whose
    /// blocks are all free goes back to the kernel (mbf at batch 64: about 550,000 page faults a step instead of 3,000).
    /// </summary>
    public const string ArenaVariable = "MALLOC_ARENA_MAX";

    /// <summary>Whether a single-process training runs in a child process unless -InProcess says otherwise: on Linux (glibc).</summary>
    public static bool ChildProcessByDefault => OperatingSystem.IsLinux();

    /// <summary>Whether this process is a worker that reports as worker events.</summary>
    public static bool WritesEvents => Environment.GetEnvironmentVariable(EventsVariable) == "1";

    /// <summary>
    /// The command line of one worker: this pwsh, running Start-FaceTraining of <paramref name="module"/> (a manifest or
    /// an assembly path) with <paramref name="parameters"/>, in the folder <paramref name="location"/>.
    /// </summary>
    public static IReadOnlyList<string> Command(string pshome, string module, string location, Hashtable parameters)
    {
        var job = new Hashtable { ["Location"] = location, ["Module"] = module, ["Parameters"] = parameters };
        var serialized = Convert.ToBase64String(Encoding.UTF8.GetBytes(PSSerializer.Serialize(job, depth: 10)));
        var script = string.Format(System.Globalization.CultureInfo.InvariantCulture, Script, serialized);
        var command = new List<string> { Environment.ProcessPath! };
        // Under the .NET tool this pwsh is `dotnet pwsh.dll`.
        if (Path.GetFileNameWithoutExtension(Environment.ProcessPath!) == "dotnet") command.Add(Path.Combine(pshome, "pwsh.dll"));
        command.AddRange(["-NoProfile", "-NonInteractive", "-EncodedCommand", Convert.ToBase64String(Encoding.Unicode.GetBytes(script))]);
        return command;
    }

    /// <summary>
    /// <paramref name="command"/> with its workers told to report as worker events, on a terminal that takes no control
    /// codes: Open MPI gives the ranks' output a pseudo-terminal, on which pwsh would write some before the events.
    /// </summary>
    /// <remarks>The workers also get <see cref="ArenaVariable"/> 1, unless this process has the variable set already (they inherit it).</remarks>
    public static MpiCommand ReportingEvents(MpiCommand command)
    {
        var environment = new Dictionary<string, string>(command.Environment) { [EventsVariable] = "1", ["TERM"] = "dumb" };
        if (string.IsNullOrEmpty(Environment.GetEnvironmentVariable(ArenaVariable))) environment[ArenaVariable] = "1";
        return command with { Environment = environment };
    }

    /// <summary><paramref name="worker"/> (from <see cref="Command"/>) started on its own, without an MPI launcher.</summary>
    public static MpiCommand Alone(IReadOnlyList<string> worker) =>
        new(worker[0], worker.Skip(1).ToList(), new Dictionary<string, string>());
}

using System.Diagnostics;
using System.Text;

namespace InsightFace.Engine.Tests.Support;

/// <summary>The two MPIs Debian ships, with which the tests start jobs.</summary>
public enum Mpi
{
    /// <summary>MPICH 4 (package mpich): mpiexec.mpich, libmpich.so.12.</summary>
    Mpich,

    /// <summary>Open MPI 4 (package openmpi-bin): mpiexec.openmpi, libmpi.so.40.</summary>
    OpenMpi,
}

/// <summary>What a job did: the launcher's exit code, all that it and the ranks wrote (stdout and stderr), and its time.</summary>
public sealed record JobResult(int ExitCode, string Output, TimeSpan Elapsed, bool TimedOut)
{
    /// <summary>For assertion messages.</summary>
    public override string ToString() =>
        $"exit code {ExitCode}{(TimedOut ? " (timed out and killed)" : "")} after {Elapsed.TotalSeconds:F1} s; output:\n{Output}";
}

/// <summary>
/// Starts ranks of tests/InsightFace.Distributed.Worker under mpiexec, the way multi-process tests check the engine:
/// the worker runs a named case on every rank and exits 0 when its checks hold. Nothing runs under dotnet test's own
/// process, which must not start MPI.
/// </summary>
public static class MpiRun
{
    /// <summary>Set by .ci/run after it installs both MPIs: a missing one is then a failure, not a skip.</summary>
    public const string RequireVariable = "INSIGHTFACE_REQUIRE_MPI";

    /// <summary>The worker's assembly, built by the test project's reference in the same configuration.</summary>
    public static string WorkerPath { get; } = FindWorker();

    /// <summary>The program that starts <paramref name="mpi"/>'s jobs.</summary>
    public static string Launcher(Mpi mpi) => mpi == Mpi.Mpich ? "mpiexec.mpich" : "mpiexec.openmpi";

    /// <summary>Why tests under <paramref name="mpi"/> cannot run here, or null when they can (or must).</summary>
    public static string? SkipReason(Mpi mpi)
    {
        if (Environment.GetEnvironmentVariable(RequireVariable) == "1" || FindOnPath(Launcher(mpi)) is not null) return null;
        var package = mpi == Mpi.Mpich ? "mpich" : "openmpi-bin";
        return $"{Launcher(mpi)} is not installed (apt-get install {package}; set {RequireVariable}=1 to make this a failure)";
    }

    /// <summary>
    /// Runs <c>mpiexec -n <paramref name="processes"/> dotnet Worker.dll <paramref name="arguments"/></c> and kills the
    /// whole job when it takes longer than <paramref name="timeout"/>.
    /// </summary>
    public static JobResult Workers(Mpi mpi, int processes, TimeSpan timeout, params string[] arguments)
    {
        // Open MPI refuses to run as root (CI does) without --allow-run-as-root, and more ranks than cores without
        // --oversubscribe. MPICH needs neither.
        string[] flags = mpi == Mpi.OpenMpi ? ["--allow-run-as-root", "--oversubscribe"] : [];
        return Run(Launcher(mpi), [.. flags, "-n", processes.ToString(), DotnetHost(), WorkerPath, .. arguments],
            new Dictionary<string, string>(), timeout);
    }

    /// <summary>Runs one worker without a launcher, with <paramref name="environment"/> added (a launcher's variables, faked).</summary>
    public static JobResult WorkerAlone(IReadOnlyDictionary<string, string> environment, TimeSpan timeout, params string[] arguments) =>
        Run(DotnetHost(), [WorkerPath, .. arguments], environment, timeout);

    private static JobResult Run(string program, string[] arguments, IReadOnlyDictionary<string, string> environment, TimeSpan timeout)
    {
        if (!File.Exists(WorkerPath))
            throw new FileNotFoundException($"The worker is not built: dotnet build tests/InsightFace.Distributed.Worker (looked for {WorkerPath}).");
        var start = new ProcessStartInfo(program)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments) start.ArgumentList.Add(argument);
        foreach (var (name, value) in environment) start.Environment[name] = value;

        var output = new StringBuilder();
        void Collect(object _, DataReceivedEventArgs e)
        {
            if (e.Data is null) return;
            lock (output) output.AppendLine(e.Data);
        }

        var clock = Stopwatch.StartNew();
        using var process = new Process { StartInfo = start };
        process.OutputDataReceived += Collect;
        process.ErrorDataReceived += Collect;
        process.Start();
        process.StandardInput.Close();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var finished = process.WaitForExit(timeout);
        if (!finished) process.Kill(entireProcessTree: true);
        process.WaitForExit(); // also drains the output handlers
        lock (output) return new JobResult(process.ExitCode, output.ToString(), clock.Elapsed, !finished);
    }

    // The dotnet that runs the tests runs the workers too.
    private static string DotnetHost() =>
        Environment.ProcessPath is { } self && Path.GetFileNameWithoutExtension(self) == "dotnet" ? self
        : Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host ? host
        : "dotnet";

    private static string? FindOnPath(string program) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Select(folder => Path.Combine(folder, program))
            .FirstOrDefault(File.Exists);

    // The worker's output folder mirrors the tests' own: tests/<project>/bin/<Configuration>/net10.0/linux-x64/.
    private static string FindWorker()
    {
        var tests = Path.Combine(Fixtures.RepoRoot, "tests");
        var output = Path.GetRelativePath(Path.Combine(tests, "InsightFace.Engine.Tests"), AppContext.BaseDirectory);
        return Path.GetFullPath(Path.Combine(tests, "InsightFace.Distributed.Worker", output, "InsightFace.Distributed.Worker.dll"));
    }
}

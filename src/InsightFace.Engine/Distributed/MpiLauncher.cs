using System.Diagnostics;

namespace InsightFace.Engine.Distributed;

/// <summary>The two MPI families whose launchers differ in the flags they need.</summary>
public enum MpiFlavor
{
    /// <summary>Open MPI (mpirun/orterun): refuses root and more ranks than cores unless told, binds ranks to cores by default.</summary>
    OpenMpi,

    /// <summary>MPICH's hydra and its relatives (Intel MPI, MVAPICH): needs no extra flags.</summary>
    Mpich,
}

/// <summary>A command that starts a job: the launcher, its arguments and the variables added to its environment.</summary>
/// <param name="FileName">The launcher's path.</param>
/// <param name="Arguments">Its arguments, the worker command last.</param>
/// <param name="Environment">Variables to set for the launcher, which passes them on to every worker.</param>
public sealed record MpiCommand(string FileName, IReadOnlyList<string> Arguments, IReadOnlyDictionary<string, string> Environment);

/// <summary>
/// The system's MPI launcher (mpiexec), and the command line that starts N copies of a worker with it on this
/// machine: Open MPI's <c>mpiexec.openmpi</c> or MPICH's <c>mpiexec.mpich</c>, whichever matches the MPI library the
/// workers bind to (<see cref="MpiLibrary"/>), else a plain <c>mpiexec</c> or <c>mpirun</c> on PATH. The
/// <see cref="Variable"/> environment variable names another launcher.
/// </summary>
/// <param name="Path">The launcher's full path.</param>
/// <param name="Flavor">Which MPI it belongs to.</param>
public sealed record MpiLauncher(string Path, MpiFlavor Flavor)
{
    /// <summary>The environment variable that names the launcher to use instead of the one found on PATH.</summary>
    public const string Variable = "INSIGHTFACE_MPIEXEC";

    /// <summary>The launchers looked for, in order, when Open MPI's library is the one found.</summary>
    public static IReadOnlyList<string> OpenMpiNames { get; } = ["mpiexec.openmpi", "mpirun.openmpi"];

    /// <summary>The launchers looked for, in order, when MPICH's library is the one found.</summary>
    public static IReadOnlyList<string> MpichNames { get; } = ["mpiexec.mpich", "mpiexec.hydra"];

    /// <summary>The launchers looked for after the library's own.</summary>
    public static IReadOnlyList<string> GenericNames { get; } = ["mpiexec", "mpirun"];

    /// <summary>Finds the launcher for this machine's MPI.</summary>
    /// <exception cref="DistributedException">MpiNotInstalled: no MPI library or no launcher, or <see cref="Variable"/> names no executable file.</exception>
    public static MpiLauncher Find() => Find(System.Environment.GetEnvironmentVariable, MpiLibrary.Locate());

    /// <summary>Finds the launcher with the environment read through <paramref name="variable"/> and the MPI library <paramref name="library"/> (null: none).</summary>
    internal static MpiLauncher Find(Func<string, string?> variable, string? library)
    {
        var searchPath = variable("PATH") ?? "";
        if (variable(Variable) is { Length: > 0 } named)
        {
            var path = Which(named, searchPath)
                ?? throw NotInstalled($"{Variable} names '{named}', which is not an executable file.");
            return new MpiLauncher(path, FlavorOf(path));
        }
        if (library is null)
            throw NotInstalled($"No MPI library ({string.Join(" or ", MpiLibrary.Candidates)}) could be loaded.");
        var names = (library == MpiLibrary.OpenMpi ? OpenMpiNames : MpichNames).Concat(GenericNames);
        foreach (var name in names)
        {
            if (Which(name, searchPath) is { } path) return new MpiLauncher(path, FlavorOf(path));
        }
        throw NotInstalled($"{library} is installed, but none of {string.Join(", ", names)} is on PATH.");
    }

    /// <summary>The default libtorch threads of each of <paramref name="processes"/> workers: the cores shared out, at least one.</summary>
    public static int DefaultThreads(int processes, int cores) => Math.Max(1, cores / processes);

    /// <summary>The command that starts <paramref name="processes"/> copies of <paramref name="worker"/> on this machine, each with <paramref name="threadsPerProcess"/> libtorch threads.</summary>
    public MpiCommand Command(int processes, int threadsPerProcess, IReadOnlyList<string> worker) =>
        Command(processes, threadsPerProcess, worker, System.Environment.ProcessorCount, System.Environment.IsPrivilegedProcess);

    /// <summary>
    /// The command for a machine with <paramref name="cores"/> cores, run as root or not. Open MPI refuses to run as
    /// root and to start more ranks than cores unless told, and binds each rank to one core by default, which would
    /// leave a rank's libtorch threads sharing it: it gets <c>--bind-to none</c>, <c>--allow-run-as-root</c> as root,
    /// and <c>--oversubscribe</c> above the core count. MPICH needs none of them.
    /// </summary>
    internal MpiCommand Command(int processes, int threadsPerProcess, IReadOnlyList<string> worker, int cores, bool asRoot)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(processes, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(threadsPerProcess, 1);
        var arguments = new List<string>();
        if (Flavor == MpiFlavor.OpenMpi)
        {
            arguments.AddRange(["--bind-to", "none"]);
            if (asRoot) arguments.Add("--allow-run-as-root");
            if (processes > cores) arguments.Add("--oversubscribe");
        }
        arguments.AddRange(["-n", processes.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
        arguments.AddRange(worker);
        // libtorch's OpenMP pool reads it when it starts; the worker also sets libtorch's threads itself.
        var environment = new Dictionary<string, string> { ["OMP_NUM_THREADS"] = threadsPerProcess.ToString(System.Globalization.CultureInfo.InvariantCulture) };
        return new MpiCommand(Path, arguments, environment);
    }

    // By name first (Debian's alternatives link mpiexec to orterun or to mpiexec.hydra), else by what it says it is.
    private static MpiFlavor FlavorOf(string path)
    {
        var target = File.ResolveLinkTarget(path, returnFinalTarget: true)?.FullName ?? path;
        foreach (var name in new[] { System.IO.Path.GetFileName(path), System.IO.Path.GetFileName(target) })
        {
            if (name.Contains("openmpi", StringComparison.OrdinalIgnoreCase) || name is "orterun" or "prterun") return MpiFlavor.OpenMpi;
            if (name.Contains("mpich", StringComparison.OrdinalIgnoreCase) || name.Contains("hydra", StringComparison.OrdinalIgnoreCase)) return MpiFlavor.Mpich;
        }
        return VersionText(path) is { } version && (version.Contains("Open MPI") || version.Contains("OpenRTE"))
            ? MpiFlavor.OpenMpi
            : MpiFlavor.Mpich;
    }

    private static string? VersionText(string path)
    {
        var start = new ProcessStartInfo(path, "--version") { RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true };
        try
        {
            using var process = Process.Start(start)!;
            process.StandardInput.Close();
            var error = process.StandardError.ReadToEndAsync();
            var output = process.StandardOutput.ReadToEnd();
            if (!process.WaitForExit(10_000)) process.Kill(entireProcessTree: true);
            return output + error.Result;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return null;
        }
    }

    // A name with a slash is a path; any other is looked up on PATH, as a shell does.
    private static string? Which(string name, string searchPath)
    {
        if (name.Contains('/')) return IsExecutable(name) ? System.IO.Path.GetFullPath(name) : null;
        return searchPath.Split(':', StringSplitOptions.RemoveEmptyEntries)
            .Select(folder => System.IO.Path.Combine(folder, name))
            .FirstOrDefault(IsExecutable);
    }

    private static bool IsExecutable(string path) =>
        File.Exists(path) && (OperatingSystem.IsWindows() || (File.GetUnixFileMode(path) & (UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute)) != 0);

    private static DistributedException NotInstalled(string why) =>
        new(ErrorIds.MpiNotInstalled,
            $"Training with more than one process needs MPI. {why} Install it with 'sudo apt-get install mpich' " +
            $"(or 'sudo apt-get install openmpi-bin'), or set {Variable} to the path of your mpiexec.");
}

using System.Diagnostics;
using InsightFace.Engine.Distributed;
using InsightFace.Engine.Tests.Data;

namespace InsightFace.Engine.Tests.Distributed;

public class MpiLauncherTests
{
    private const string OpenMpiLibrary = "libmpi.so.40";
    private const string MpichLibrary = "libmpich.so.12";
    private static readonly string[] Worker = ["pwsh", "-NoProfile", "-Command", "Start-FaceTraining"];

    [Fact]
    public void Open_MPI_as_root_with_more_ranks_than_cores_is_allowed_both_and_binds_no_rank_to_a_core()
    {
        var command = new MpiLauncher("/usr/bin/mpiexec.openmpi", MpiFlavor.OpenMpi).Command(3, 1, Worker, cores: 2, asRoot: true);
        Assert.Equal("/usr/bin/mpiexec.openmpi", command.FileName);
        Assert.Equal(["--bind-to", "none", "--allow-run-as-root", "--oversubscribe", "-n", "3", .. Worker], command.Arguments);
        Assert.Equal(new Dictionary<string, string> { ["OMP_NUM_THREADS"] = "1" }, command.Environment);
    }

    [Fact]
    public void Open_MPI_as_a_user_within_the_cores_needs_neither_flag()
    {
        var command = new MpiLauncher("/usr/bin/mpiexec.openmpi", MpiFlavor.OpenMpi).Command(4, 4, Worker, cores: 16, asRoot: false);
        Assert.Equal(["--bind-to", "none", "-n", "4", .. Worker], command.Arguments);
        Assert.Equal("4", command.Environment["OMP_NUM_THREADS"]);
    }

    [Fact]
    public void Open_MPI_with_as_many_ranks_as_cores_does_not_oversubscribe()
    {
        var command = new MpiLauncher("/usr/bin/mpiexec.openmpi", MpiFlavor.OpenMpi).Command(2, 1, Worker, cores: 2, asRoot: false);
        Assert.DoesNotContain("--oversubscribe", command.Arguments);
    }

    [Fact]
    public void MPICH_needs_no_flag_as_root_or_oversubscribed()
    {
        var command = new MpiLauncher("/usr/bin/mpiexec.mpich", MpiFlavor.Mpich).Command(4, 2, Worker, cores: 2, asRoot: true);
        Assert.Equal(["-n", "4", .. Worker], command.Arguments);
        Assert.Equal("2", command.Environment["OMP_NUM_THREADS"]);
    }

    [Theory]
    [InlineData(2, 2, 1)]
    [InlineData(3, 2, 1)]
    [InlineData(2, 16, 8)]
    [InlineData(3, 16, 5)]
    [InlineData(1, 4, 4)]
    public void Default_threads_share_the_cores_out_and_are_at_least_one(int processes, int cores, int threads) =>
        Assert.Equal(threads, MpiLauncher.DefaultThreads(processes, cores));

    [Fact]
    public void Bad_counts_are_refused()
    {
        var launcher = new MpiLauncher("/usr/bin/mpiexec.mpich", MpiFlavor.Mpich);
        Assert.Throws<ArgumentOutOfRangeException>(() => launcher.Command(0, 1, Worker, 2, false));
        Assert.Throws<ArgumentOutOfRangeException>(() => launcher.Command(2, 0, Worker, 2, false));
    }

    [Fact]
    public void Finds_the_launcher_of_the_library_the_workers_load()
    {
        using var bin = new TempFolder();
        var openMpi = Executable(bin, "mpiexec.openmpi");
        var mpich = Executable(bin, "mpiexec.mpich");
        Executable(bin, "mpiexec");
        Assert.Equal(new MpiLauncher(openMpi, MpiFlavor.OpenMpi), MpiLauncher.Find(Variables(bin.Path), OpenMpiLibrary));
        Assert.Equal(new MpiLauncher(mpich, MpiFlavor.Mpich), MpiLauncher.Find(Variables(bin.Path), MpichLibrary));
    }

    [Fact]
    public void Finds_a_plain_mpiexec_and_tells_its_flavour_by_what_it_says_it_is()
    {
        using var openMpiBin = new TempFolder();
        using var mpichBin = new TempFolder();
        var openMpi = Executable(openMpiBin, "mpiexec", "echo 'mpiexec (OpenRTE) 4.1.4'");
        var mpich = Executable(mpichBin, "mpiexec", "echo 'HYDRA build details:'");
        Assert.Equal(new MpiLauncher(openMpi, MpiFlavor.OpenMpi), MpiLauncher.Find(Variables($"/nonexistent:{openMpiBin.Path}"), OpenMpiLibrary));
        Assert.Equal(new MpiLauncher(mpich, MpiFlavor.Mpich), MpiLauncher.Find(Variables(mpichBin.Path), OpenMpiLibrary));
    }

    [Fact]
    public void A_plain_mpirun_linked_to_orterun_is_Open_MPI_by_its_name()
    {
        using var bin = new TempFolder();
        var orterun = Executable(bin, "orterun", "echo 'unknown'");
        var mpirun = bin["mpirun"];
        File.CreateSymbolicLink(mpirun, orterun);
        Assert.Equal(new MpiLauncher(mpirun, MpiFlavor.OpenMpi), MpiLauncher.Find(Variables(bin.Path), MpichLibrary));
    }

    [Fact]
    public void A_file_that_is_not_executable_is_no_launcher()
    {
        using var bin = new TempFolder();
        File.WriteAllText(bin["mpiexec.mpich"], "#!/bin/sh\n");
        var error = Assert.Throws<DistributedException>(() => MpiLauncher.Find(Variables(bin.Path), MpichLibrary));
        Assert.Equal(ErrorIds.MpiNotInstalled, error.ErrorId);
    }

    [Fact]
    public void The_variable_names_the_launcher_by_path_or_by_name_and_wins_over_PATH()
    {
        using var bin = new TempFolder();
        using var other = new TempFolder();
        Executable(bin, "mpiexec.mpich");
        var mine = Executable(other, "my-mpiexec", "echo 'mpiexec (Open MPI) 5.0.3'");
        Assert.Equal(new MpiLauncher(mine, MpiFlavor.OpenMpi),
            MpiLauncher.Find(Variables(bin.Path, mpiexec: mine), MpichLibrary));
        Assert.Equal(new MpiLauncher(mine, MpiFlavor.OpenMpi),
            MpiLauncher.Find(Variables($"{bin.Path}:{other.Path}", mpiexec: "my-mpiexec"), library: null));
    }

    [Fact]
    public void A_variable_that_names_no_executable_is_MpiNotInstalled_naming_it()
    {
        using var bin = new TempFolder();
        Executable(bin, "mpiexec.mpich");
        var error = Assert.Throws<DistributedException>(() => MpiLauncher.Find(Variables(bin.Path, mpiexec: bin["missing"]), MpichLibrary));
        Assert.Equal(ErrorIds.MpiNotInstalled, error.ErrorId);
        Assert.Contains($"{MpiLauncher.Variable} names '{bin["missing"]}'", error.Message);
    }

    [Fact]
    public void No_launcher_on_PATH_is_MpiNotInstalled_naming_the_Debian_packages()
    {
        using var empty = new TempFolder();
        var error = Assert.Throws<DistributedException>(() => MpiLauncher.Find(Variables(empty.Path), OpenMpiLibrary));
        Assert.Equal(ErrorIds.MpiNotInstalled, error.ErrorId);
        Assert.Equal(ErrorKind.ResourceUnavailable, error.Kind);
        Assert.Contains("none of mpiexec.openmpi, mpirun.openmpi, mpiexec, mpirun is on PATH", error.Message);
        Assert.Contains("sudo apt-get install mpich", error.Message);
        Assert.Contains("openmpi-bin", error.Message);
    }

    [Fact]
    public void No_MPI_library_is_MpiNotInstalled_even_with_a_launcher_on_PATH()
    {
        using var bin = new TempFolder();
        Executable(bin, "mpiexec");
        var error = Assert.Throws<DistributedException>(() => MpiLauncher.Find(Variables(bin.Path), library: null));
        Assert.Equal(ErrorIds.MpiNotInstalled, error.ErrorId);
        Assert.Contains("libmpi.so.40 or libmpich.so.12", error.Message);
    }

    // The command each real launcher gets starts every rank, as root and with more ranks than this machine's cores.
    [LauncherFact("mpiexec.openmpi")]
    public void The_command_starts_every_rank_with_its_threads_under_Open_MPI() => StartsEveryRank("mpiexec.openmpi");

    [LauncherFact("mpiexec.mpich")]
    public void The_command_starts_every_rank_with_its_threads_under_MPICH() => StartsEveryRank("mpiexec.mpich");

    private static void StartsEveryRank(string name)
    {
        var launcher = MpiLauncher.Find(Variables(Environment.GetEnvironmentVariable("PATH")!, mpiexec: name), library: null);
        var ranks = Environment.ProcessorCount + 1;
        var command = launcher.Command(ranks, 3, ["sh", "-c", "echo rank=${OMPI_COMM_WORLD_RANK:-$PMI_RANK} threads=$OMP_NUM_THREADS"]);

        var start = new ProcessStartInfo(command.FileName) { RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true };
        foreach (var argument in command.Arguments) start.ArgumentList.Add(argument);
        foreach (var (key, value) in command.Environment) start.Environment[key] = value;
        using var process = Process.Start(start)!;
        process.StandardInput.Close();
        var error = process.StandardError.ReadToEndAsync();
        var output = process.StandardOutput.ReadToEnd();
        Assert.True(process.WaitForExit(60_000), "the launcher did not end");
        Assert.True(process.ExitCode == 0, $"{command.FileName} {string.Join(' ', command.Arguments)} exited with {process.ExitCode}: {error.Result}");
        var lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Order(StringComparer.Ordinal);
        Assert.Equal(Enumerable.Range(0, ranks).Select(r => $"rank={r} threads=3").Order(StringComparer.Ordinal), lines);
    }

    private static Func<string, string?> Variables(string path, string? mpiexec = null) =>
        name => name switch
        {
            "PATH" => path,
            MpiLauncher.Variable => mpiexec,
            _ => null,
        };

    private static string Executable(TempFolder folder, string name, string script = "exit 0")
    {
        var path = folder[name];
        File.WriteAllText(path, $"#!/bin/sh\n{script}\n");
        if (OperatingSystem.IsWindows()) throw new PlatformNotSupportedException("MPI launchers are found on Unix only.");
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        return path;
    }
}

/// <summary>A fact that runs a real MPI launcher; skipped, saying so, where that launcher is not on PATH (CI installs both MPIs).</summary>
public sealed class LauncherFactAttribute : FactAttribute
{
    public LauncherFactAttribute(string name)
    {
        var onPath = (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries)
            .Any(folder => File.Exists(Path.Combine(folder, name)));
        if (!onPath) Skip = $"{name} is not on PATH (sudo apt-get install {(name.Contains("openmpi") ? "openmpi-bin" : "mpich")})";
    }
}

// The overhead of training in several processes on one machine: 2 ranks × 1 libtorch thread against 1 rank × 2
// threads, on the same global batch of the same data, both through the real Trainer (loader, backbone, Partial FC at
// sample_rate 1 over num_classes 10000, ArcFace, SGD, clipping) and both started by mpiexec, as
// `Start-FaceTraining -Processes` starts its workers.
//
//   dotnet build -c Release bench/DistributedBench
//   dotnet run -c Release --no-build --project bench/DistributedBench [-- steps (default 10) [networks (default mbf,r18) [global batch (default 32) [mpich|openmpi (default mpich)]]]]
//
// Each run trains one epoch of a synthetic set just big enough for 3 warm-up steps and `steps` timed ones. Rank 0
// times every step (loading included) and the time spent inside the collectives (a timing wrapper around them:
// the transfers and the waiting for the other rank). Afterwards every rank replays the last step's collective calls
// after a barrier, which times the transfers alone. Prints samples/s of both layouts, their ratio (goal: 2 × 1 at
// least 0.9× of 1 × 2), the communication's share of the step, and the load average before and after.
using System.Collections;
using System.Diagnostics;
using System.Globalization;
using InsightFace.Engine.Checkpoints;
using InsightFace.Engine.Configuration;
using InsightFace.Engine.Data.Synthetic;
using InsightFace.Engine.Distributed;
using InsightFace.Engine.Evaluation;
using InsightFace.Engine.Training;
using TorchSharp;

const int WarmUp = 3;

if (args.Length > 0 && args[0] == "worker") return Worker(args[1..]);

var steps = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 10;
var networks = args.Length > 1 ? args[1].Split(',') : ["mbf", "r18"];
var globalBatch = args.Length > 2 ? int.Parse(args[2], CultureInfo.InvariantCulture) : 32;
var mpi = args.Length > 3 ? args[3] : "mpich";
var work = Directory.CreateTempSubdirectory("distributedbench").FullName;

Console.WriteLine($"global batch {globalBatch}, {steps} timed steps after {WarmUp} warm-up, num_classes 10000; {mpi}; " +
                  $"{Environment.ProcessorCount} CPUs, load average {LoadAverage()}");
Console.WriteLine($"{"network",-8} {"layout",-16} {"samples/s (mean)",17} {"(fastest step)",15} {"in collectives",15} {"transfers alone",16}");
foreach (var network in networks)
{
    var one = Launch(mpi, network, processes: 1, threads: 2, globalBatch, steps, Path.Combine(work, $"{network}-1"));
    Print(network, "1 rank × 2 thr", one);
    var two = Launch(mpi, network, processes: 2, threads: 1, globalBatch / 2, steps, Path.Combine(work, $"{network}-2"));
    Print(network, "2 ranks × 1 thr", two);
    Console.WriteLine($"{network,-8} {"ratio 2×1 / 1×2",-16} {two.MeanRate / one.MeanRate,16:F2}x {two.BestRate / one.BestRate,14:F2}x");
}
Console.WriteLine($"load average at the end: {LoadAverage()}");
Directory.Delete(work, recursive: true);
return 0;

static void Print(string network, string layout, Result r) =>
    Console.WriteLine($"{network,-8} {layout,-16} {r.MeanRate,17:F2} {r.BestRate,15:F2} {r.InsideShare,14:P1} {r.TransferShare,15:P1}");

// Starts `processes` ranks of this program's worker through the chosen MPI's mpiexec, with the flags Start-FaceTraining
// gives Open MPI, and reads rank 0's RESULT line.
static Result Launch(string mpi, string network, int processes, int threads, int batch, int steps, string folder)
{
    var openMpi = mpi == "openmpi";
    var start = new ProcessStartInfo(openMpi ? "mpiexec.openmpi" : "mpiexec.mpich") { RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true };
    var arguments = new List<string>();
    if (openMpi)
    {
        arguments.AddRange(["--bind-to", "none", "--oversubscribe"]);
        if (Environment.IsPrivilegedProcess) arguments.Add("--allow-run-as-root");
    }
    arguments.AddRange(["-n", $"{processes}"]);
    var self = Environment.ProcessPath!;
    if (Path.GetFileName(self) == "dotnet") arguments.AddRange([self, typeof(Result).Assembly.Location]);
    else arguments.Add(self);
    arguments.AddRange(["worker", network, $"{batch}", $"{threads}", $"{steps}", folder]);
    foreach (var argument in arguments) start.ArgumentList.Add(argument);
    start.Environment["OMP_NUM_THREADS"] = $"{threads}";
    // As Start-FaceTraining starts its ranks: every thread allocates from glibc's main heap (docs/usage/training.md).
    start.Environment["MALLOC_ARENA_MAX"] = "1";

    using var job = Process.Start(start)!;
    job.StandardInput.Close();
    var errors = job.StandardError.ReadToEndAsync();
    var output = job.StandardOutput.ReadToEnd();
    job.WaitForExit();
    // Open MPI's ranks may start their output with a terminal's escape codes.
    var at = output.IndexOf("RESULT ", StringComparison.Ordinal);
    if (job.ExitCode != 0 || at < 0)
        throw new InvalidOperationException($"{start.FileName} {string.Join(' ', arguments)} exited with {job.ExitCode}:\n{output}\n{errors.Result}");
    var values = output[(at + "RESULT ".Length)..].Split('\n')[0].Trim().Split(' ').Select(v => double.Parse(v, CultureInfo.InvariantCulture)).ToArray();
    return new Result(values[0], values[1], values[2], values[3]);
}

// One rank: trains the epoch and, on rank 0, prints RESULT mean-rate best-rate inside-share transfer-share.
static int Worker(string[] args)
{
    var (network, batch, threads, steps, folder) =
        (args[0], int.Parse(args[1], CultureInfo.InvariantCulture), int.Parse(args[2], CultureInfo.InvariantCulture), int.Parse(args[3], CultureInfo.InvariantCulture), args[4]);
    torch.set_num_threads(threads);
    var inner = Collectives.ForThisProcess();
    try
    {
        var collectives = new TimedCollectives(inner);
        var globalBatch = batch * collectives.WorldSize;
        const int imagesPerClass = 4;
        using var data = new SyntheticFaceDataset((globalBatch * (WarmUp + steps) + imagesPerClass - 1) / imagesPerClass, imagesPerClass, seed: 7);
        var config = ConfigResolver.Resolve(null,
            dataset: new Dictionary<string, object?> { ["rec"] = "synthetic", ["num_classes"] = 10000L, ["num_image"] = (long)data.Count },
            set: new Hashtable { ["network"] = network, ["batch_size"] = batch, ["num_epoch"] = 1, ["frequent"] = 1000, ["verbose"] = 100000, ["seed"] = 7 },
            worldSize: collectives.WorldSize);

        var timer = new StepTimer(collectives);
        using (var trainer = new Trainer(new TrainingRequest(config, data, folder) { Overwrite = true, Collectives = collectives }, timer))
            trainer.Run(CancellationToken.None);

        // Rank 0 knows where the last step's calls are; every rank replays them.
        using var range = torch.tensor(timer.LastStepCalls());
        inner.Broadcast(range, 0);
        var (from, to) = ((int)range[0].item<long>(), (int)range[1].item<long>());
        var calls = collectives.Calls.Skip(from).Take(to - from).ToList();
        var transfers = Enumerable.Range(0, 5).Min(_ => TimedCollectives.Replay(inner, calls));

        if (collectives.Rank == 0)
        {
            var timed = timer.Steps.Skip(WarmUp).ToList();
            var seconds = timed.Sum(s => s.Seconds);
            var inside = timed.Sum(s => s.InsideSeconds);
            double[] result = [globalBatch * timed.Count / seconds, globalBatch / timed.Min(s => s.Seconds), inside / seconds, transfers / (seconds / timed.Count)];
            Console.WriteLine("RESULT " + string.Join(' ', result.Select(v => v.ToString("R", CultureInfo.InvariantCulture))));
        }
        (inner as IDisposable)?.Dispose();
        return 0;
    }
    catch (Exception e)
    {
        Console.Error.WriteLine($"rank {inner.Rank}: {e}");
        inner.Abort(1);
        return 1;
    }
}

static string LoadAverage() => string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3));

/// <summary>One layout's numbers: samples/s over the timed steps and on the fastest one, and the shares of the step time.</summary>
sealed record Result(double MeanRate, double BestRate, double InsideShare, double TransferShare);

/// <summary>On rank 0 (the only one the trainer reports to): when each step ended, and the collectives' clock and call count then.</summary>
sealed class StepTimer(TimedCollectives collectives) : ITrainingObserver
{
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private readonly List<(TimeSpan End, TimeSpan Inside, int Calls)> _ends = new();

    /// <summary>Each step's seconds and seconds inside collectives, from the previous step's end; the first is from construction.</summary>
    public IEnumerable<(double Seconds, double InsideSeconds)> Steps =>
        _ends.Select((e, i) => i == 0
            ? (e.End.TotalSeconds, e.Inside.TotalSeconds)
            : ((e.End - _ends[i - 1].End).TotalSeconds, (e.Inside - _ends[i - 1].Inside).TotalSeconds));

    /// <summary>The indices [from, to) of the last step's calls in <see cref="TimedCollectives.Calls"/>: the stop agreement before it, then its own.</summary>
    public long[] LastStepCalls() => _ends.Count < 2 ? [0, 0] : [_ends[^2].Calls, _ends[^1].Calls];

    public void Message(string text) { }
    public void Step(TrainingStep step) => _ends.Add((_clock.Elapsed, collectives.Inside, collectives.Calls.Count));
    public void Logged(TrainingMetrics metrics) { }
    public void Verified(long globalStep, IReadOnlyList<VerificationResult> results) { }
    public void CheckpointSaved(CheckpointInfo checkpoint) { }
}

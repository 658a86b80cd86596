// End-to-end training speed through the real Trainer against the same step in Debian's python3-torch 1.13, and the
// loader alone against what the step consumes, all in one run on the same CPU and the same data.
//
//   dotnet run -c Release --project bench/TrainingBench [-- steps (default 4) [networks (default mbf,r18) [batch (default 16)]]]
//
// For each network: a synthetic set just big enough for one warm-up step and `steps` timed ones (one epoch), trained
// by Trainer (loader, backbone, Partial FC at sample_rate 1 over num_classes 10000, ArcFace, SGD, clipping, logging;
// the epoch-end checkpoint falls after the last timed step); then the same batches, as the loader produced them,
// through arcface_torch's train_v2 step in /usr/bin/python3 training_bench.py; then the loader on its own over the
// same epoch. Both frameworks use 2 threads. More steps give steadier numbers: pass e.g. 20. The machines are
// shared, so the ratio uses each side's fastest step (the least disturbed); the means are printed too, and the
// loader is compared with the mean step rate.
//
// PyTorch runs at its best: in both memory layouts (NCHW and channels_last), each with glibc's default allocator and
// with MALLOC_MMAP_MAX_=0 (no mmap for large blocks, what the engine's NativeHeap sets), and the ratio is against the
// fastest of the four. The Trainer runs in both layouts too; the ratio is for its default, contiguous (NCHW).
//
// The Trainer runs as Start-FaceTraining's child process runs it on Linux: with MALLOC_ARENA_MAX=1 (this program
// starts itself again with it when it is not set), so that every thread allocates from glibc's main heap. PyTorch's
// processes get the environment without it, as python3 has it by default.
using System.Collections;
using System.Diagnostics;
using System.Runtime.InteropServices;
using InsightFace.Engine.Backbones;
using InsightFace.Engine.Checkpoints;
using InsightFace.Engine.Configuration;
using InsightFace.Engine.Data.Loading;
using InsightFace.Engine.Data.Synthetic;
using InsightFace.Engine.Evaluation;
using InsightFace.Engine.Training;
using TorchSharp;

const int NumClasses = 10000;
const int ImagesPerClass = 4;
const long Seed = 7;

const string ArenaVariable = "MALLOC_ARENA_MAX";
if (Environment.GetEnvironmentVariable(ArenaVariable) is null)
{
    var again = new ProcessStartInfo(Environment.ProcessPath!);
    if (Path.GetFileNameWithoutExtension(Environment.ProcessPath!) == "dotnet") again.ArgumentList.Add(typeof(Program).Assembly.Location);
    foreach (var argument in args) again.ArgumentList.Add(argument);
    again.Environment[ArenaVariable] = "1";
    using var child = Process.Start(again)!;
    child.WaitForExit();
    return child.ExitCode;
}

var steps = args.Length > 0 ? int.Parse(args[0]) : 4;
var networks = args.Length > 1 ? args[1].Split(',') : ["mbf", "r18"];
var batch = args.Length > 2 ? int.Parse(args[2]) : 16;
var work = Directory.CreateTempSubdirectory("trainingbench").FullName;
torch.set_num_threads(2);

Console.WriteLine($"batch {batch}, {steps} timed steps after 1 warm-up, num_classes {NumClasses}, 2 threads, the Trainer with {ArenaVariable}=1; {Environment.ProcessorCount} CPUs, load average {LoadAverage()}");
Console.WriteLine($"{"network",-8} {"layout",-14} {"allocator",-10} {"Trainer samples/s",18} {"PyTorch samples/s",18} {"(means)",14}");
foreach (var network in networks)
{
    var classes = (batch * (steps + 1) + ImagesPerClass - 1) / ImagesPerClass;
    using var data = new SyntheticFaceDataset(classes, ImagesPerClass, Seed);
    var config = ConfigResolver.Resolve(null,
        dataset: new Dictionary<string, object?> { ["rec"] = "synthetic", ["num_classes"] = (long)NumClasses, ["num_image"] = (long)data.Count },
        set: new Hashtable { ["network"] = network, ["batch_size"] = batch, ["num_epoch"] = 1, ["frequent"] = 1000, ["verbose"] = 100000, ["seed"] = Seed });

    var batches = Path.Combine(work, $"{network}.batches");
    var written = WriteBatches(data, config.Config, batches, steps + 1);
    var ours = new Dictionary<string, (double Best, double Mean)>();
    var theirs = new List<(string Layout, string Allocator, double Best, double Mean)>();
    foreach (var layout in new[] { MemoryFormat.Contiguous, MemoryFormat.ChannelsLast })
    {
        var inLayout = ConfigResolver.Resolve(null,
            dataset: new Dictionary<string, object?> { ["rec"] = "synthetic", ["num_classes"] = (long)NumClasses, ["num_image"] = (long)data.Count },
            set: new Hashtable { ["network"] = network, ["batch_size"] = batch, ["num_epoch"] = 1, ["frequent"] = 1000, ["verbose"] = 100000, ["seed"] = Seed, ["memory_format"] = layout });
        var timer = new StepTimer();
        using (var trainer = new Trainer(new TrainingRequest(inLayout, data, Path.Combine(work, network)) { Overwrite = true }, timer))
            trainer.Run(CancellationToken.None);
        var durations = timer.StepSeconds().Skip(1).ToList(); // step 1 is the warm-up
        ours[layout] = (batch / durations.Min(), batch * durations.Count / durations.Sum());
        foreach (var allocator in new[] { "default", "no-mmap" })
        {
            var result = Run("/usr/bin/python3",
                [Path.Combine(AppContext.BaseDirectory, "training_bench.py"), network, batches, $"{batch}", $"{written}", $"{NumClasses}", layout],
                allocator == "no-mmap" ? new() { ["MALLOC_MMAP_MAX_"] = "0" } : new()).Split(' ').Select(double.Parse).ToArray();
            theirs.Add((layout, allocator, result[0], result[1]));
            var o = allocator == "default" ? $"{ours[layout].Best,18:F2}" : $"{"",18}";
            var om = allocator == "default" ? $"{ours[layout].Mean:F2}" : "-";
            Console.WriteLine($"{network,-8} {layout,-14} {allocator,-10} {o} {result[0],18:F2} {$"{om}/{result[1]:F2}",14}");
        }
    }
    var best = theirs.MaxBy(t => t.Best);
    var ourDefault = ours[MemoryFormat.Contiguous];
    var loader = LoaderImagesPerSecond(data, config.Config);
    Console.WriteLine($"{network,-8} ratio: Trainer (contiguous, the default) / PyTorch at its best ({best.Layout}, {best.Allocator}) = {ourDefault.Best / best.Best:F2}x " +
                      $"(means {ourDefault.Mean / best.Mean:F2}x); loader {loader:F1} images/s = {loader / ourDefault.Mean:F1}x the step's need");
}
Console.WriteLine($"load average at the end: {LoadAverage()}");
Directory.Delete(work, recursive: true);
return 0;

// The loader alone over one epoch of the same set, with the trainer's options.
static double LoaderImagesPerSecond(SyntheticFaceDataset data, TrainingConfig config)
{
    using var loader = new TrainingLoader(data, new TrainingLoaderOptions(config.BatchSize, config.NumWorkers, config.Seed));
    var images = 0L;
    var clock = Stopwatch.StartNew();
    foreach (var b in loader.Epoch(0))
        using (b) images += b.Count;
    return images / clock.Elapsed.TotalSeconds;
}

// Epoch 0's first batches exactly as the trainer saw them: float32 images, then int64 labels, per batch.
static int WriteBatches(SyntheticFaceDataset data, TrainingConfig config, string path, int count)
{
    using var loader = new TrainingLoader(data, new TrainingLoaderOptions(config.BatchSize, config.NumWorkers, config.Seed));
    using var file = File.Create(path);
    var written = 0;
    foreach (var b in loader.Epoch(0).Take(count))
        using (b)
        {
            file.Write(MemoryMarshal.AsBytes(b.Images.AsSpan()));
            file.Write(MemoryMarshal.AsBytes(b.Labels.AsSpan()));
            written++;
        }
    return written;
}

static string Run(string program, string[] arguments, Dictionary<string, string> environment)
{
    var start = new ProcessStartInfo(program, arguments) { RedirectStandardOutput = true };
    start.Environment.Remove("MALLOC_ARENA_MAX");
    foreach (var (name, value) in environment) start.Environment[name] = value;
    using var process = Process.Start(start)!;
    var output = process.StandardOutput.ReadToEnd().Trim();
    process.WaitForExit();
    if (process.ExitCode != 0) throw new InvalidOperationException($"{program} {string.Join(' ', arguments)} exited with {process.ExitCode}");
    return output.Split('\n')[^1];
}

static string LoadAverage() => string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3));

/// <summary>Records when each training step finished, on the training thread.</summary>
sealed class StepTimer : ITrainingObserver
{
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private readonly List<TimeSpan> _finished = new();

    public void Message(string text) { }
    public void Step(TrainingStep step) => _finished.Add(_clock.Elapsed);
    public void Logged(TrainingMetrics metrics) { }
    public void Verified(long globalStep, IReadOnlyList<VerificationResult> results) { }
    public void CheckpointSaved(CheckpointInfo checkpoint) { }

    /// <summary>The seconds each step took, loading included, from the previous step's end; the first one's is from construction and meaningless.</summary>
    public IEnumerable<double> StepSeconds() =>
        _finished.Select((end, i) => (end - (i == 0 ? TimeSpan.Zero : _finished[i - 1])).TotalSeconds);
}

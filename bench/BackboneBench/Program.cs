// Backbone speed and memory in TorchSharp against Debian's python3-torch 1.13 on the same inputs, in the same run.
//
//   dotnet run -c Release --project bench/BackboneBench [-- iterations (default 3) [networks (default mbf,r18,r50) [batch (default 16)]]]
//
// For each network and mode (inference: eval + no_grad; training step: forward, mean-square loss, backward, SGD with
// momentum 0.9 and weight decay 5e-4) and each memory layout (contiguous NCHW, channels_last) it starts one fresh
// process per framework, so each peak RSS is that measurement's own: this program again ("child" mode) and
// /usr/bin/python3 backbone_bench.py. 2 threads, one warm-up iteration, then `iterations` timed ones. The four
// measurements of a row rotate which goes first. Our training children get MALLOC_ARENA_MAX=1, as Start-FaceTraining's
// child process on Linux does (docs/usage/training.md); PyTorch's run with glibc's defaults. The machines these run on are shared, so the ratios use each
// side's fastest iteration (the least disturbed); the means are printed too. The ratio that counts is ours in our
// default layout (channels_last) against PyTorch in its faster layout.
using System.Diagnostics;
using InsightFace.Engine.Backbones;
using InsightFace.Engine.Optim;
using InsightFace.Engine.Runtime;
using TorchSharp;

if (args is ["child", var childNetwork, var childMode, var childInput, var childIterations, var childLayout, var childBatch])
    return Child(childNetwork, childMode, childInput, int.Parse(childIterations), childLayout, int.Parse(childBatch));

var iterations = args.Length > 0 ? int.Parse(args[0]) : 3;
var networks = args.Length > 1 ? args[1].Split(',') : ["mbf", "r18", "r50"];
var batch = args.Length > 2 ? int.Parse(args[2]) : 16;
var input = Path.Combine(Directory.CreateTempSubdirectory("backbonebench").FullName, "input.f32");
WriteInput(input, batch);
string[] layouts = [MemoryFormat.Contiguous, MemoryFormat.ChannelsLast];

Console.WriteLine($"batch {batch}, 2 threads, {iterations} timed iterations after 1 warm-up; {Environment.ProcessorCount} CPUs, load average {LoadAverage()}");
Console.WriteLine($"{"network",-8} {"mode",-6} {"layout",-14} {"TorchSharp img/s",17} {"PyTorch img/s",14} {"(means)",16} {"TorchSharp RSS",15} {"PyTorch RSS",12}");
var first = 0;
foreach (var network in networks)
foreach (var mode in new[] { "infer", "train" })
{
    var ours = new Dictionary<string, Measurement>();
    var theirs = new Dictionary<string, Measurement>();
    for (var turn = 0; turn < 4; turn++)
    {
        var which = (turn + first) % 4;
        var layout = layouts[which % 2];
        // A training child runs as Start-FaceTraining's child process does on Linux, with glibc's single arena.
        if (which < 2) ours[layout] = Measure(Environment.ProcessPath!, ["child", network, mode, input, $"{iterations}", layout, $"{batch}"], mode == "train");
        else theirs[layout] = Measure("/usr/bin/python3", [Path.Combine(AppContext.BaseDirectory, "backbone_bench.py"), network, mode, input, $"{iterations}", layout, $"{batch}"], false);
    }
    first = (first + 1) % 4;
    foreach (var layout in layouts)
    {
        var (o, t) = (ours[layout], theirs[layout]);
        Console.WriteLine($"{network,-8} {mode,-6} {layout,-14} {o.Best,17:F2} {t.Best,14:F2} {$"{o.Mean:F2}/{t.Mean:F2}",16} {o.PeakMb,12:F0} MB {t.PeakMb,9:F0} MB");
    }
    var best = theirs.Values.MaxBy(m => m.Best);
    var bestLayout = theirs.First(p => p.Value == best).Key;
    // Training's default layout is contiguous (docs/usage/training.md, memory layout).
    var ourDefault = ours[MemoryFormat.Contiguous];
    Console.WriteLine($"{network,-8} {mode,-6} ratio: ours (contiguous) / PyTorch ({bestLayout}) = {ourDefault.Best / best.Best:F2}x speed, {ourDefault.PeakMb / best.PeakMb:F2}x RSS");
}
Console.WriteLine($"load average at the end: {LoadAverage()}");
return 0;

static int Child(string network, string mode, string inputPath, int iterations, string layout, int batch)
{
    torch.set_num_threads(2);
    torch.manual_seed(1);
    var values = new float[batch * 3 * 112 * 112];
    using (var file = File.OpenRead(inputPath)) file.ReadExactly(System.Runtime.InteropServices.MemoryMarshal.AsBytes(values.AsSpan()));
    using var nchw = torch.tensor(values, [batch, 3, 112, 112]);
    using var images = MemoryFormat.To(nchw, layout);
    using var model = BackboneRegistry.Create(network, new BackboneOptions());
    MemoryFormat.Apply(model, layout);
    Action step;
    if (mode == "infer")
    {
        model.eval();
        step = () =>
        {
            using var scope = torch.NewDisposeScope();
            using var _ = torch.no_grad();
            model.forward(images);
        };
    }
    else
    {
        model.train();
        NativeHeap.TuneForTraining(); // as the Trainer does for a training run
        var optimizer = new InsightFace.Engine.Optim.SGD([new TorchSharp.Modules.SGD.ParamGroup(model.parameters(), 0.01, 0.9, weight_decay: 5e-4)], 0.01, 0.9, 5e-4);
        // As the Trainer does before its first step: the state kept between steps lies below the activations.
        Gradients.Reserve(model.parameters());
        optimizer.ReserveState();
        step = () =>
        {
            using var scope = torch.NewDisposeScope();
            model.forward(images).pow(2).mean().backward();
            optimizer.step();
            optimizer.zero_grad();
        };
    }
    step(); // warm-up: allocator and one-time kernel setup
    var seconds = new List<double>();
    for (var i = 0; i < iterations; i++)
    {
        var clock = Stopwatch.StartNew();
        step();
        seconds.Add(clock.Elapsed.TotalSeconds);
    }
    Console.WriteLine($"{batch / seconds.Min():F3} {batch * iterations / seconds.Sum():F3} {PeakRssMegabytes()}");
    return 0;
}

// Deterministic, image-like values in [-1, 1], the range of arcface_torch's normalised inputs.
static void WriteInput(string path, int batch)
{
    var values = new float[batch * 3 * 112 * 112];
    for (var i = 0; i < values.Length; i++) values[i] = MathF.Sin(i * 0.001f) * MathF.Cos(i * 0.37f);
    File.WriteAllBytes(path, System.Runtime.InteropServices.MemoryMarshal.AsBytes(values.AsSpan()).ToArray());
}

static Measurement Measure(string program, string[] arguments, bool singleArena)
{
    var start = new ProcessStartInfo(program, arguments) { RedirectStandardOutput = true };
    if (singleArena) start.Environment["MALLOC_ARENA_MAX"] = "1";
    else start.Environment.Remove("MALLOC_ARENA_MAX");
    using var process = Process.Start(start)!;
    var lines = process.StandardOutput.ReadToEnd().Trim().Split('\n');
    process.WaitForExit();
    if (process.ExitCode != 0) throw new InvalidOperationException($"{program} {string.Join(' ', arguments)} exited with {process.ExitCode}");
    var fields = lines[^1].Split(' ');
    return new Measurement(double.Parse(fields[0]), double.Parse(fields[1]), double.Parse(fields[2]));
}

static long PeakRssMegabytes() =>
    long.Parse(File.ReadLines("/proc/self/status").First(l => l.StartsWith("VmHWM:")).Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries)[1]) / 1024;

static string LoadAverage() => string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3));

/// <summary>One child's report: images per second of its fastest iteration and on average, and its peak RSS.</summary>
readonly record struct Measurement(double Best, double Mean, double PeakMb);

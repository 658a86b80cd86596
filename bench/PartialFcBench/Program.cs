// What Partial FC buys: one head step (forward, backward, sparse SGD update) at 1M classes, E=512, batch 64, at
// sample_rate 1.0 (the baseline: a full softmax over every centre) and 0.1, each in its own process so that peak RSS
// is that rate's own. Prints step time and peak RSS of each and the ratios 0.1 / 1.0.
//
//   dotnet run -c Release --project bench/PartialFcBench                   # 1,000,000 classes, 3 timed steps
//   dotnet run -c Release --project bench/PartialFcBench -- 200000 5       # classes, steps
using System.Diagnostics;
using InsightFace.Engine.Heads;
using TorchSharp;

if (args.Length >= 1 && args[0] == "child") return Child(long.Parse(args[1]), double.Parse(args[2]), int.Parse(args[3]));

var classes = args.Length > 0 ? long.Parse(args[0]) : 1_000_000;
var steps = args.Length > 1 ? int.Parse(args[1]) : 3;
Console.WriteLine($"Partial FC head step: {classes:N0} classes, E=512, batch 64, {steps} timed steps after 1 warm-up, {torch.get_num_threads()} threads");
var results = new Dictionary<double, (double Seconds, double RssMb)>();
foreach (var rate in new[] { 1.0, 0.1 })
{
    var start = new ProcessStartInfo(Environment.ProcessPath!) { RedirectStandardOutput = true };
    foreach (var a in new[] { typeof(Program).Assembly.Location, "child", $"{classes}", $"{rate}", $"{steps}" }) start.ArgumentList.Add(a);
    if (Path.GetFileName(Environment.ProcessPath!) != "dotnet") start.ArgumentList.RemoveAt(0);
    using var child = Process.Start(start)!;
    var line = child.StandardOutput.ReadToEnd().Trim().Split('\n')[^1];
    child.WaitForExit();
    var parts = line.Split(' ');
    results[rate] = (double.Parse(parts[0]), double.Parse(parts[1]));
    Console.WriteLine($"sample_rate {rate:F1}: {results[rate].Seconds:F2} s/step, peak RSS {results[rate].RssMb:F0} MB");
}
Console.WriteLine($"ratio 0.1 / 1.0: step time {results[0.1].Seconds / results[1.0].Seconds:F2}x, peak RSS {results[0.1].RssMb / results[1.0].RssMb:F2}x");
Console.WriteLine($"load average {File.ReadAllText("/proc/loadavg").Trim()}");
return 0;

static int Child(long classes, double rate, int steps)
{
    torch.manual_seed(1);
    using var head = new PartialFC(new CombinedMarginLoss(64, 1, 0.5, 0), 512, classes, rate, SingleProcessCollectives.Instance);
    using var sgd = new SparseCenterSgd(head, 0.9, 5e-4);
    var times = new List<double>();
    for (var i = 0; i <= steps; i++)
    {
        using var scope = torch.NewDisposeScope();
        var embeddings = torch.randn(64, 512).requires_grad_();
        var labels = torch.randint(0, classes, new long[] { 64 });
        var clock = Stopwatch.StartNew();
        var (loss, rows) = head.ForwardSampled(embeddings, labels);
        loss.backward();
        sgd.Step(0.1, rows);
        head.weight.grad?.zero_();
        if (i > 0) times.Add(clock.Elapsed.TotalSeconds);
    }
    var rss = File.ReadLines("/proc/self/status").First(l => l.StartsWith("VmHWM:")).Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries)[1];
    Console.WriteLine($"{times.Min()} {double.Parse(rss) / 1024}");
    return 0;
}

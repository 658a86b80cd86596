// Reproduces the TorchSharp Scalar race that crashed long training runs, and shows that held Scalars do not race.
//
//   dotnet run -c Release --project bench/ScalarRace -- [seconds per mode, default 60]
//
// One thread adds with alpha 0.5 in a loop, as TorchSharp's optimizers do; another allocates and collects garbage,
// as the data loader does. With an implicit Scalar (a.add_(b, alpha: 0.5)) TorchSharp passes libtorch only the
// native handle, so the collector may finalize the Scalar, freeing it on the finalizer thread, while libtorch reads
// it: some calls fail with "Expected false to be true" (Scalar::toFloat) or add a wrong amount. With a Scalar held by
// `using`, none does. Run it alone: the race needs the adding thread to be preempted, which load makes likelier
// and a busy machine makes slower to reach.
using System.Runtime.InteropServices;
using TorchSharp;
using static TorchSharp.torch;

var seconds = args.Length > 0 ? int.Parse(args[0]) : 60;
Console.WriteLine($"load average: {File.ReadAllText("/proc/loadavg").Trim()}");
foreach (var held in new[] { false, true })
{
    var (calls, failures, wrongSums) = Run(held, TimeSpan.FromSeconds(seconds));
    Console.WriteLine($"{(held ? "held Scalar    " : "implicit Scalar")}: {calls,9} calls, {failures} failed, {wrongSums} wrong sums");
}

static (long Calls, long Failures, long WrongSums) Run(bool held, TimeSpan duration)
{
    var stop = DateTime.UtcNow + duration;
    var collector = new Thread(() =>
    {
        while (DateTime.UtcNow < stop)
        {
            var junk = new byte[64][];
            for (var i = 0; i < junk.Length; i++) junk[i] = new byte[4096];
            GC.Collect(0);
        }
    }) { IsBackground = true };
    collector.Start();

    long calls = 0, failures = 0, wrongSums = 0;
    using var half = 0.5.ToScalar();
    while (DateTime.UtcNow < stop)
    {
        using var scope = NewDisposeScope();
        var sum = zeros(64);
        var ones = torch.ones(64);
        for (var i = 0; i < 1000; i++, calls++)
        {
            try
            {
                if (held) sum.add_(ones, alpha: half);
                else sum.add_(ones, alpha: 0.5);
            }
            catch (ExternalException e)
            {
                if (failures++ == 0) Console.WriteLine($"  first failure: {e.Message.Split('\n')[0]}");
            }
        }
        if (sum[0].item<float>() != 500f) wrongSums++;
    }
    collector.Join();
    return (calls, failures, wrongSums);
}

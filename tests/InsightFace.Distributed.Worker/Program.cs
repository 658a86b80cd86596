// One rank of a multi-process test: InsightFace.Distributed.Worker <case> [--mpi] [case arguments].
// The engine tests start it under mpiexec. It takes the collectives that training would take (single process for a
// job of one, else MPI); --mpi takes MPI's even for a job of one. It exits 0 when the case's checks hold; anything
// thrown is written to stderr as "rank R: message" and ends the whole job through Abort(1), so that no rank waits
// in a collective for one that failed.
using InsightFace.Distributed.Worker;
using InsightFace.Engine;
using InsightFace.Engine.Distributed;
using TorchSharp;

var cases = new Dictionary<string, Action<ICollectives, string[]>>
{
    ["collectives"] = CollectiveChecks.Run,
    ["abort"] = AbortCase.Run,
    ["step-parity"] = StepParityCase.Run,
    ["train"] = TrainingCase.Run,
};

if (args.Length == 0 || !cases.TryGetValue(args[0], out var run))
{
    Console.Error.WriteLine($"usage: InsightFace.Distributed.Worker <case> [--mpi] [arguments]; cases: {string.Join(", ", cases.Keys)}");
    return 2;
}

// Every rank gets one thread: the tests start up to four ranks on two cores.
torch.set_num_threads(1);
ICollectives? collectives = null;
try
{
    collectives = args.Contains("--mpi") ? MpiCollectives.World : Collectives.ForThisProcess();
    run(collectives, args.Skip(1).Where(a => a != "--mpi").ToArray());
    (collectives as IDisposable)?.Dispose();
    Console.WriteLine($"rank {collectives.Rank}: {args[0]} ok ({collectives.GetType().Name}, world {collectives.WorldSize}, local rank {collectives.LocalRank})");
    return 0;
}
catch (Exception e)
{
    Console.Error.WriteLine($"rank {collectives?.Rank.ToString() ?? RankFromLauncher()}: {Describe(e)}");
    Console.Error.WriteLine(e.StackTrace);
    collectives?.Abort(1);
    return 1;
}

static string Describe(Exception e) => e is InsightFaceException known ? $"{known.Message} [{known.ErrorId}]" : $"{e.GetType().Name}: {e.Message}";

static string RankFromLauncher()
{
    try
    {
        return JobEnvironment.FromProcess().Rank.ToString();
    }
    catch (DistributedException)
    {
        return "?";
    }
}

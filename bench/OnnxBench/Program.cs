// ONNX export speed and exported-model inference speed, each against a baseline measured in the same run.
//   dotnet run --project bench/OnnxBench -c Release [-- networks...]     (default: r100 mbf)
// Export: building and serialising the ONNX graph, against writing the same weights as a .pth with PthWriter
// (the floor: both serialise every weight once). Inference: ONNX Runtime on the exported (BatchNorm-folded)
// model against TorchSharp eval on the module, same inputs, same thread count, best of 3 rounds. PReLU: the graph
// ONNX Runtime runs for verification (PRelu nodes rewritten as Relus and depthwise convs by OnnxPReluRewriter) against
// the PRelu nodes as written, both unfolded as for a checkpoint, at the protocol's default batch of 16.
using System.Diagnostics;
using InsightFace.Engine.Backbones;
using InsightFace.Engine.Export.Onnx;
using InsightFace.Engine.Import;
using InsightFace.Engine.Import.PyTorch;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using TorchSharp;

string[] networks = args.Length > 0 ? args : ["r100", "mbf"];
const int Batch = 8;
const int VerificationBatch = 16;
const int Rounds = 3;
var threads = torch.get_num_threads();
var folder = Directory.CreateTempSubdirectory("onnxbench-").FullName;
Console.WriteLine($"threads {threads} (TorchSharp and ONNX Runtime intra-op), batch {Batch}, best of {Rounds} rounds, {Environment.ProcessorCount} logical CPUs, " +
                  $"load average {string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ')[..3])}");

try
{
    foreach (var network in networks)
    {
        torch.manual_seed(0);
        using var backbone = BackboneRegistry.Create(network, new BackboneOptions());
        backbone.eval();

        var exportSeconds = Best(() => BackboneOnnxWriter.Write(backbone, network, foldBatchNorm: true).ToBytes());
        var bytes = BackboneOnnxWriter.Write(backbone, network, foldBatchNorm: true).ToBytes();
        var pth = Path.Combine(folder, $"{network}.pth");
        var pthSeconds = Best(() =>
        {
            using var state = StateDict.From(backbone);
            PthWriter.Write(pth, state, overwrite: true);
        });
        Console.WriteLine($"{network}: ONNX export {exportSeconds:F2} s ({bytes.Length / 1e6:F1} MB); .pth save {pthSeconds:F2} s; export/save ratio {exportSeconds / pthSeconds:F2}");

        using var input = OnnxVerifier.RandomInputs([3, 112, 112], [Batch], seed: 1).Single();
        using var options = new SessionOptions { IntraOpNumThreads = threads, InterOpNumThreads = 1 };
        using var session = new InferenceSession(bytes, options);
        var dense = new DenseTensor<float>(input.data<float>().ToArray(), [Batch, 3, 112, 112]);
        // Alternated, so that load from other processes on a shared machine falls on both alike.
        var (torchSeconds, onnxSeconds) = BestAlternating(
            () =>
            {
                using var scope = torch.NewDisposeScope();
                using (torch.no_grad()) backbone.forward(input);
            },
            () =>
            {
                using var results = session.Run([NamedOnnxValue.CreateFromTensor("data", dense)]);
            });
        Console.WriteLine($"{network}: inference TorchSharp {Batch / torchSeconds:F1} img/s, ONNX Runtime {Batch / onnxSeconds:F1} img/s; ONNX Runtime/TorchSharp speed ratio {torchSeconds / onnxSeconds:F2}");

        var standardBytes = BackboneOnnxWriter.Write(backbone, network).ToBytes();
        using var standard = new InferenceSession(standardBytes, options);
        using var split = new InferenceSession(OnnxPReluRewriter.Rewrite(standardBytes)!, options);
        using var faces = OnnxVerifier.RandomInputs([3, 112, 112], [VerificationBatch], seed: 2).Single();
        var batch16 = new DenseTensor<float>(faces.data<float>().ToArray(), [VerificationBatch, 3, 112, 112]);
        var (standardSeconds, splitSeconds) = BestAlternating(
            () =>
            {
                using var results = standard.Run([NamedOnnxValue.CreateFromTensor("data", batch16)]);
            },
            () =>
            {
                using var results = split.Run([NamedOnnxValue.CreateFromTensor("data", batch16)]);
            });
        Console.WriteLine($"{network}: PReLU at batch {VerificationBatch} in ONNX Runtime, as PRelu nodes {VerificationBatch / standardSeconds:F1} img/s, " +
                          $"as Relus and depthwise convs {VerificationBatch / splitSeconds:F1} img/s; speed ratio {standardSeconds / splitSeconds:F2}");
    }
}
finally
{
    Directory.Delete(folder, recursive: true);
}

// One warm-up of each, then rounds of a then b; the fastest round of each.
static (double A, double B) BestAlternating(Action a, Action b)
{
    a();
    b();
    double bestA = double.MaxValue, bestB = double.MaxValue;
    for (var i = 0; i < Rounds; i++)
    {
        bestA = Math.Min(bestA, Time(a));
        bestB = Math.Min(bestB, Time(b));
    }
    return (bestA, bestB);
}

static double Time(Action action)
{
    var clock = Stopwatch.StartNew();
    action();
    return clock.Elapsed.TotalSeconds;
}

// One warm-up, then the fastest of the rounds.
static double Best(Action action)
{
    action();
    var best = double.MaxValue;
    for (var i = 0; i < Rounds; i++) best = Math.Min(best, Time(action));
    return best;
}

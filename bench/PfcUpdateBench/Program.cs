// How SGD updates Partial FC's centres, measured: pfc_update sparse (Partial FC v1: a centre that was not sampled
// keeps its value and its momentum) against dense (arcface_torch v2's PartialFC_V2: one torch SGD over every centre,
// so momentum and weight decay keep moving the ones not sampled), at sample_rate 0.1.
//
// The head is what differs, so the backbone is a linear layer and the data synthetic: every class is a random point
// in R^D and a sample is that point plus Gaussian noise. Both runs use the real OptimizationStep with ArcFace
// (s 64, m 0.5), SGD (momentum 0.9, weight decay 5e-4) and the polynomial schedule, on the same batches and the same
// sampled centres. Printed: the training loss (mean over 100 steps) as it goes, and at the end, on held-out samples,
// the full-softmax ArcFace loss over all classes and the top-1 accuracy against all centres. A measurement of learning,
// not of speed: no timings; it runs in a minute or two.
//
//   dotnet run -c Release --project bench/PfcUpdateBench [-- steps (default 2000) [classes (default 10000)]]
using System.Collections;
using InsightFace.Engine.Configuration;
using InsightFace.Engine.Heads;
using InsightFace.Engine.Optim;
using InsightFace.Engine.Training;
using TorchSharp;
using static TorchSharp.torch;

const int Dimensions = 128;
const int BatchSize = 128;
const double Noise = 2.0;
const double SampleRate = 0.1;
const long Seed = 2048;

var steps = args.Length > 0 ? int.Parse(args[0]) : 2000;
var classes = args.Length > 1 ? int.Parse(args[1]) : 10000;
set_num_threads(2);

var prototypes = randn(classes, Dimensions, generator: new Generator(Seed));
(Tensor Inputs, Tensor Labels) Samples(int count, ulong seed)
{
    var generator = new Generator(seed);
    var labels = randint(0, classes, [count], generator: generator);
    return (prototypes.index_select(0, labels).add(randn(count, Dimensions, generator: generator).mul(Noise)), labels);
}
var heldOut = Samples(4096, 1);

Console.WriteLine($"{classes} classes, linear backbone {Dimensions}->{Dimensions}, noise {Noise}, batch {BatchSize}, sample_rate {SampleRate} " +
                  $"({(long)(SampleRate * classes)} centres a step), ArcFace s 64 m 0.5, SGD lr 0.1 momentum 0.9 weight_decay 5e-4, {steps} steps, seed {Seed}");
foreach (var update in new[] { "sparse", "dense" })
{
    var config = ConfigResolver.Resolve(null, set: new Hashtable
    {
        ["rec"] = "synthetic", ["num_classes"] = classes, ["num_image"] = (long)steps * BatchSize, ["batch_size"] = BatchSize, ["num_epoch"] = 1,
        ["embedding_size"] = Dimensions, ["sample_rate"] = SampleRate, ["pfc_update"] = update, ["seed"] = Seed,
    }).Config;
    manual_seed(Seed);
    using var backbone = nn.Linear(Dimensions, Dimensions);
    var m = config.MarginList;
    using var head = new PartialFC(new CombinedMarginLoss(config.Scale, m[0], m[1], m[2]), Dimensions, classes, SampleRate, SingleProcessCollectives.Instance);
    using var step = new OptimizationStep(backbone, head, config, SingleProcessCollectives.Instance);
    var schedule = new PolynomialLRWarmup(config.EffectiveLr, config.WarmupSteps, config.TotalSteps, config.LrPower);

    var losses = new List<double>();
    var report = new List<string>();
    for (var i = 0; i < steps; i++)
    {
        using var scope = NewDisposeScope();
        var (inputs, labels) = Samples(BatchSize, (ulong)(1000 + i));
        losses.Add(step.Run(inputs, labels, i, schedule.LearningRate(i)).Loss);
        if ((i + 1) % (steps / 4) == 0) report.Add($"{i + 1}: {losses.TakeLast(100).Average():F3}");
    }

    double heldOutLoss, accuracy;
    using (no_grad())
    using (var full = new PartialFC(new CombinedMarginLoss(config.Scale, m[0], m[1], m[2]), Dimensions, classes, 1.0, SingleProcessCollectives.Instance))
    {
        full.weight.copy_(head.weight);
        var embeddings = backbone.call(heldOut.Inputs);
        heldOutLoss = full.call(embeddings, heldOut.Labels).item<float>();
        var cosines = nn.functional.normalize(embeddings, 2, 1).matmul(nn.functional.normalize(head.weight, 2, 1).t());
        accuracy = cosines.argmax(1).eq(heldOut.Labels).to_type(ScalarType.Float64).mean().item<double>();
    }
    Console.WriteLine($"pfc_update {update,-6}  training loss at step {string.Join(", ", report)}  held-out: loss over all classes {heldOutLoss:F3}, top-1 {accuracy:F4}");
}

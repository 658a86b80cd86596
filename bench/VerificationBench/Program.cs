// Verification throughput: seconds for the whole InsightFace protocol on a .bin (read, decode, flip, embed,
// metrics) through our checkpoints (on the CPU in ONNX Runtime, exported in memory), through the same backbone as an
// ONNX file (FaceModel.OpenOnnx, -ModelPath's route) and through the same checkpoint in libtorch, against the same
// model's bare inference on the same images in the same run.
// Then PyTorch 1.13 (/usr/bin/python3, BackboneBench's backbone_bench.py) runs the same network's bare inference
// (eval, no_grad; no decoding, no flipping) on the same decoded faces at batch 16 and 200, in NCHW and channels_last;
// the ratio that counts is our whole protocol through the checkpoint against PyTorch's faster layout at our batch.
// Usage: dotnet run -c Release -- [images (default 240; 12000 is LFW's size)] [networks (default mbf,r50)] [batch (default 16)]
using System.Diagnostics;
using InsightFace.Engine.Checkpoints;
using InsightFace.Engine.Data.Imaging;
using InsightFace.Engine.Data.Verification;
using InsightFace.Engine.Evaluation;
using InsightFace.Engine.Export.Onnx;

var imageCount = args.Length > 0 ? int.Parse(args[0]) : 240;
var networks = args.Length > 1 ? args[1].Split(',') : ["mbf", "r50"];
var batchSize = args.Length > 2 ? int.Parse(args[2]) : 16;
if (imageCount % 2 != 0 || imageCount < 20) throw new ArgumentException("images must be even and at least 20 (10 pairs).");

var work = Directory.CreateTempSubdirectory("verification-bench-").FullName;
try
{
    var bin = Path.Combine(work, "synthetic.bin");
    WriteSyntheticBin(bin, imageCount);
    Console.WriteLine($"{imageCount} images ({imageCount / 2} pairs), {new FileInfo(bin).Length / 1e6:F1} MB .bin, batch {batchSize}, " +
                      $"{TorchSharp.torch.get_num_threads()} torch threads, {Environment.ProcessorCount} cores, load average {LoadAverage()}");
    Console.WriteLine("network  protocol_s  bare_inference_s  overhead_ratio  protocol_img/s  peak_rss_MB");
    foreach (var network in networks)
    {
        var checkpoint = CheckpointModel.CreateInitial(Path.Combine(work, network), network, 512, seed: 1, overwrite: false);
        double ours, libtorch;
        using (var model = FaceModel.OpenCheckpoint(checkpoint.Folder)) ours = Measure(network, model);
        // The same backbone as an Export-FaceOnnx file (PRelu nodes as written), through -ModelPath's route.
        var onnxFile = Path.Combine(work, $"{network}.onnx");
        using (var backbone = CheckpointModel.LoadBackbone(checkpoint)) BackboneOnnxWriter.Write(backbone, network).Save(onnxFile, overwrite: false);
        using (var model = FaceModel.OpenOnnx(onnxFile)) Measure(network + "/file", model);
        // The same checkpoint in libtorch, in NCHW: channels_last was faster, but gives wrong values on some CPUs
        // (ChannelsLastCheck).
        using (var backbone = CheckpointModel.LoadBackbone(checkpoint))
            libtorch = Measure(network + "/torch", new TorchModuleEmbedder(backbone, checkpoint.Folder));
        Console.WriteLine($"{network,-8} ratio: the checkpoint through ONNX Runtime (the CPU default) / through libtorch = {ours / libtorch:F2}x");
        ComparePyTorch(network, ours);
    }

    double Measure(string label, IFaceEmbedder model)
    {
        var set = VerificationBinReader.Read(bin);
        model.Embed(DecodeBatch(set, model.InputTransform, 0, 2, flip: false), 2); // warm-up: first-call allocations
        var bare = BareInference(model, set, batchSize);
        var clock = Stopwatch.StartNew();
        var result = new VerificationRunner(model, new VerificationOptions { BatchSize = batchSize }).Run(bin);
        var protocol = clock.Elapsed.TotalSeconds;
        Console.WriteLine($"{label,-8} {protocol,10:F2} {bare,17:F2} {protocol / bare,15:F3} {2 * imageCount / protocol,15:F1} {PeakRssMegabytes(),12:F0}");
        Console.WriteLine($"         (accuracy {result.Accuracy:F4}, runner's own inference time {result.InferenceTime.TotalSeconds:F2} s)");
        return 2 * imageCount / protocol;
    }

    void ComparePyTorch(string network, double oursImagesPerSecond)
    {
        var set = VerificationBinReader.Read(bin);
        var best = 0.0;
        var bestLayout = "";
        foreach (var batch in new[] { batchSize, 200 })
        {
            var input = Path.Combine(work, $"faces{batch}.f32");
            var faces = Enumerable.Range(0, batch).SelectMany(i => DecodeBatch(set, FaceImageTransform.ArcFace, i % set.Images.Count, 1, flip: false)).ToArray();
            File.WriteAllBytes(input, System.Runtime.InteropServices.MemoryMarshal.AsBytes(faces.AsSpan()).ToArray());
            foreach (var layout in new[] { "contiguous", "channels_last" })
            {
                var imagesPerSecond = PyTorchInference(network, input, layout, batch);
                Console.WriteLine($"         PyTorch 1.13 bare inference, batch {batch,3}, {layout,-13}: {imagesPerSecond,8:F1} img/s");
                if (batch == batchSize && imagesPerSecond > best) (best, bestLayout) = (imagesPerSecond, layout);
            }
        }
        Console.WriteLine($"{network,-8} ratio: our protocol through the checkpoint / PyTorch bare inference ({bestLayout}, batch {batchSize}) = {oursImagesPerSecond / best:F2}x");
    }
}
finally
{
    Directory.Delete(work, recursive: true);
}

// PyTorch's fastest of 3 timed batches (after a warm-up), in images per second.
static double PyTorchInference(string network, string input, string layout, int batch)
{
    var start = new ProcessStartInfo("/usr/bin/python3",
        [Path.Combine(AppContext.BaseDirectory, "backbone_bench.py"), network, "infer", input, "3", layout, $"{batch}"]) { RedirectStandardOutput = true };
    using var process = Process.Start(start)!;
    var output = process.StandardOutput.ReadToEnd().Trim().Split('\n')[^1];
    process.WaitForExit();
    if (process.ExitCode != 0) throw new InvalidOperationException($"backbone_bench.py {network} exited with {process.ExitCode}");
    return double.Parse(output.Split(' ')[0]);
}

static string LoadAverage() => string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3));

// The protocol's forward passes (every image and its mirror, in batches) and nothing else: decoding is untimed.
static double BareInference(IFaceEmbedder model, VerificationSet set, int batchSize)
{
    var timed = TimeSpan.Zero;
    for (var start = 0; start < set.Images.Count; start += batchSize)
    {
        var count = Math.Min(batchSize, set.Images.Count - start);
        foreach (var flip in new[] { false, true })
        {
            var batch = DecodeBatch(set, model.InputTransform, start, count, flip);
            var clock = Stopwatch.StartNew();
            model.Embed(batch, count);
            timed += clock.Elapsed;
        }
    }
    return timed.TotalSeconds;
}

static float[] DecodeBatch(VerificationSet set, FaceImageTransform transform, int start, int count, bool flip)
{
    var decoder = new FaceImageDecoder();
    var batch = new float[count * FaceInput.Floats];
    for (var i = 0; i < count; i++)
        decoder.DecodeChw(set.Images[start + i], transform, batch.AsSpan(i * FaceInput.Floats, FaceInput.Floats), flip);
    return batch;
}

// Real 112x112 JPEGs (the ORL fixture faces) cycled to the requested size, same and different pairs alternating.
static void WriteSyntheticBin(string path, int images)
{
    var fixtures = Path.GetFullPath(Path.Combine(AppContext.BaseDirectory, "../../../../../../../shared/fixtures/orl-faces-112"));
    var files = Directory.GetFiles(fixtures, "*.jpg", SearchOption.AllDirectories).Order(StringComparer.Ordinal).ToArray();
    var bytes = Enumerable.Range(0, images).Select(i => File.ReadAllBytes(files[i % files.Length])).ToArray();
    VerificationBinWriter.Write(path, new VerificationSet(bytes, Enumerable.Range(0, images / 2).Select(i => i % 2 == 0).ToArray()));
}

static double PeakRssMegabytes()
{
    var line = File.ReadLines("/proc/self/status").First(l => l.StartsWith("VmHWM:", StringComparison.Ordinal));
    return double.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1]) / 1024;
}

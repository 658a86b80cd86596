// OFRecord conversion speed against a plain copy of the same bytes, measured in the same run.
//
//   dotnet run -c Release --project bench/DataBench -- generate <dir> [size MB, default 1024]
//       writes <dir>/rec/train.rec (+ idx, property): synthetic 112x112 faces repeated to the size asked for
//   dotnet run -c Release --project bench/DataBench -- convert <dir> [parts, default 16] [workers, default 0: one per core]
//       copies train.rec with cat (the baseline) and converts it to <dir>/ofrecord, 5 times each, alternating;
//       prints the best rate of each, the ratio, this process's peak RSS (VmHWM; run it apart from generate so the
//       peak is the conversion's own) and the load average.
//   dotnet run -c Release --project bench/DataBench -- load [images, default 4000] [workers, default all cores]
//       the training loader's images/s per core (decode, flip, normalise to float CHW, batch) against SkiaSharp's
//       bare decode of the same JPEG bytes to RGBA on one thread (the bytes wrapped, not copied: its cheapest form),
//       best of 5 alternating rounds each; each loader is timed from its second epoch on, as training runs it.
using System.Diagnostics;
using InsightFace.Engine.Data;
using InsightFace.Engine.Data.Loading;
using InsightFace.Engine.Data.OFRecord;
using InsightFace.Engine.Data.RecordIO;
using InsightFace.Engine.Data.Synthetic;
using SkiaSharp;

if (args.Length >= 1 && args[0] == "load") return Load(args);
if (args.Length < 2 || args[0] is not ("generate" or "convert"))
{
    Console.Error.WriteLine("usage: DataBench generate <dir> [sizeMB] | DataBench convert <dir> [parts] [workers] | DataBench load [images] [workers]");
    return 2;
}
var dir = Path.GetFullPath(args[1]);
if (args[0] == "generate")
{
    var megabytes = args.Length > 2 ? int.Parse(args[2]) : 1024;
    using var pool = new SyntheticFaceDataset(classes: 200, imagesPerClass: 10, seed: 1);
    var images = Enumerable.Range(0, pool.Count).Select(i => pool.Read(i).Image).ToArray();
    var count = (int)((long)megabytes * 1024 * 1024 / (images.Average(i => i.Length) + 40));
    using var repeated = new RepeatedDataset(images, pool.NumClasses, count);
    var clock = Stopwatch.StartNew();
    FaceRecordIOWriter.Write(repeated, Path.Combine(dir, "rec"), force: true);
    Console.WriteLine($"generated {count} images, {new FileInfo(Path.Combine(dir, "rec", "train.rec")).Length / 1e6:F0} MB in {clock.Elapsed.TotalSeconds:F1} s");
    return 0;
}

var rec = Path.Combine(dir, "rec", "train.rec");
var parts = args.Length > 2 ? int.Parse(args[2]) : 16;
var workers = args.Length > 3 ? int.Parse(args[3]) : 0;
var bytes = new FileInfo(rec).Length;
Shell($"cat '{rec}' > /dev/null"); // warm the page cache for both runs alike

// Alternate the two a few times and keep each one's best: the machines are shared, so single runs are noisy.
var copy = Path.Combine(dir, "copy.rec");
var output = Path.Combine(dir, "ofrecord");
double catSeconds = double.MaxValue, convertSeconds = double.MaxValue, convertCpuSeconds = 0;
ConversionResult? result = null;
for (var round = 0; round < 5; round++)
{
    catSeconds = Math.Min(catSeconds, Time(() => Shell($"cat '{rec}' > '{copy}' && sync '{copy}'")));
    File.Delete(copy);
    // Both write into a place that holds nothing yet: removing the previous round's gigabyte is not part of either.
    if (Directory.Exists(output)) Directory.Delete(output, recursive: true);
    var cpuBefore = Process.GetCurrentProcess().TotalProcessorTime;
    var seconds = Time(() =>
    {
        using var dataset = RecordIODataset.Open(rec);
        result = OFRecordWriter.Write(dataset, output, new OFRecordWriteOptions { Parts = parts, Seed = 1, Workers = workers });
    });
    if (seconds < convertSeconds) (convertSeconds, convertCpuSeconds) = (seconds, (Process.GetCurrentProcess().TotalProcessorTime - cpuBefore).TotalSeconds);
}
var written = result!.Files.Where(f => Path.GetFileName(f).StartsWith("part-")).Sum(f => new FileInfo(f).Length);

Console.WriteLine($"input            {bytes / 1e6:F0} MB, {result.Records} records, {parts} parts ({written / 1e6:F0} MB written), " +
                  $"{(workers > 0 ? workers : Math.Min(Environment.ProcessorCount, 8))} workers");
Console.WriteLine($"cat (baseline)   {bytes / 1e6 / catSeconds:F0} MB/s");
Console.WriteLine($"ConvertTo-OFRecord {bytes / 1e6 / convertSeconds:F0} MB/s, {result.Records / convertSeconds:F0} records/s, {convertCpuSeconds:F2} s CPU in {convertSeconds:F2} s");
Console.WriteLine($"ratio            {catSeconds / convertSeconds:F2} x cat (target >= 0.8)");
Console.WriteLine($"peak RSS         {PeakRssMegabytes()} MB (target < 512)");
Console.WriteLine($"load average     {File.ReadAllText("/proc/loadavg").Trim()} on {Environment.ProcessorCount} cores");
return 0;

static int Load(string[] args)
{
    var count = args.Length > 1 ? int.Parse(args[1]) : 4000;
    var workers = args.Length > 2 ? int.Parse(args[2]) : Environment.ProcessorCount;
    using var pool = new SyntheticFaceDataset(classes: 200, imagesPerClass: 10, seed: 1);
    var images = Enumerable.Range(0, pool.Count).Select(i => pool.Read(i).Image).ToArray();
    using var dataset = new RepeatedDataset(images, pool.NumClasses, count);
    const int batchSize = 128;

    // Training keeps one loader for the whole run: each is timed in its steady state, after a first epoch has
    // started its threads and filled its pool of batch buffers (5 x 19 MB, which a short run would otherwise time).
    using var one = new TrainingLoader(dataset, new TrainingLoaderOptions(batchSize, 1, 1));
    using var all = new TrainingLoader(dataset, new TrainingLoaderOptions(batchSize, workers, 1));
    Drain(one, 0);
    Drain(all, 0);
    (double Wall, double Cpu) bare = (double.MaxValue, double.MaxValue), oneSeconds = bare, allSeconds = bare;
    for (var round = 0; round < 5; round++)
    {
        bare = Best(bare, () =>
        {
            var info = new SKImageInfo(112, 112, SKColorType.Rgba8888, SKAlphaType.Unpremul);
            using var bitmap = new SKBitmap(info);
            for (var i = 0; i < count; i++) BareDecode(dataset.Read(i).Image, info, bitmap.GetPixels());
        });
        oneSeconds = Best(oneSeconds, () => Drain(one, round + 1));
        allSeconds = Best(allSeconds, () => Drain(all, round + 1));
    }
    var loaded = count / batchSize * batchSize;
    var bareRate = count / bare.Wall;
    var oneRate = loaded / oneSeconds.Wall;
    var allRate = loaded / allSeconds.Wall;
    Console.WriteLine($"input                   {count} synthetic 112x112 JPEGs ({images.Average(i => i.Length) / 1e3:F1} kB mean), batch {batchSize}");
    Console.WriteLine($"SkiaSharp bare decode   {bareRate:F0} images/s on 1 thread (baseline)");
    Console.WriteLine($"loader, 1 worker        {oneRate:F0} images/s per core, ratio {oneRate / bareRate:F2} x bare decode (target >= 0.9)");
    Console.WriteLine($"loader, {workers} workers       {allRate:F0} images/s, {allRate / workers:F0} per core, ratio {allRate / workers / bareRate:F2} x bare decode per core");
    // Per CPU-second: what a core's time buys, whatever else shares the machine (the wall-clock rates above need a quiet one).
    Console.WriteLine($"per CPU-second          bare {count / bare.Cpu:F0}, loader 1 worker {loaded / oneSeconds.Cpu:F0} ({loaded / oneSeconds.Cpu / (count / bare.Cpu):F2} x), " +
                      $"{workers} workers {loaded / allSeconds.Cpu:F0} ({loaded / allSeconds.Cpu / (count / bare.Cpu):F2} x) images");
    Console.WriteLine($"peak RSS                {PeakRssMegabytes()} MB");
    Console.WriteLine($"load average            {File.ReadAllText("/proc/loadavg").Trim()} on {Environment.ProcessorCount} cores");
    return 0;
}

// The decode alone, as cheaply as SkiaSharp allows: the bytes wrapped where they lie, decoded straight into RGBA.
static unsafe void BareDecode(byte[] image, SKImageInfo info, IntPtr pixels)
{
    fixed (byte* bytes = image)
    {
        using var data = SKData.Create((IntPtr)bytes, image.Length, null);
        using var codec = SKCodec.Create(data);
        if (codec.GetPixels(info, pixels) != SKCodecResult.Success) throw new InvalidOperationException("decode failed");
    }
}

static void Drain(TrainingLoader loader, int epoch)
{
    foreach (var batch in loader.Epoch(epoch)) batch.Dispose();
}

// The best wall-clock and CPU seconds (this process, all threads) so far, with one more run of action.
static (double Wall, double Cpu) Best((double Wall, double Cpu) best, Action action)
{
    var cpu = Process.GetCurrentProcess().TotalProcessorTime;
    var wall = Time(action);
    return (Math.Min(best.Wall, wall), Math.Min(best.Cpu, (Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalSeconds));
}

static double Time(Action action)
{
    var clock = Stopwatch.StartNew();
    action();
    return clock.Elapsed.TotalSeconds;
}

static void Shell(string command)
{
    using var process = Process.Start("sh", ["-c", command]);
    process.WaitForExit();
    if (process.ExitCode != 0) throw new InvalidOperationException($"'{command}' exited with {process.ExitCode}");
}

static long PeakRssMegabytes() =>
    File.ReadLines("/proc/self/status").First(l => l.StartsWith("VmHWM:")).Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries)[1] is var kb
        ? long.Parse(kb) / 1024
        : 0;

/// <summary>A pool of images repeated to any count, labels sorted so the InsightFace writer accepts it.</summary>
sealed class RepeatedDataset(byte[][] images, int classes, int count) : IFaceDataset
{
    public DatasetInfo Info { get; } = new(DatasetFormat.Synthetic, "repeated", new ImageSize(112, 112), 0, [], null);

    public int Count => count;

    public int NumClasses => classes;

    public FaceSample Read(int index) => new(images[index % images.Length], (int)((long)index * classes / count), "repeated");

    public void Dispose()
    {
    }
}

using System.Collections;
using InsightFace.Engine.Configuration;
using InsightFace.Engine.Data.Synthetic;
using InsightFace.Engine.Import.PyTorch;
using InsightFace.Engine.Tests.Data;
using InsightFace.Engine.Training;

namespace InsightFace.Engine.Tests.Training;

/// <summary>
/// What docs/usage/training.md promises under "Determinism": for one seed, one libtorch thread count and one machine
/// the trained weights are bit-identical, whatever the number of loader workers. (The thread count and the CPU's
/// instruction set do change them: measured, not asserted, since libtorch promises neither way.)
/// </summary>
[Collection("Training")]
public class DeterminismTests
{
    private static int[] TrainedWeightBits(int workers)
    {
        using var temp = new TempFolder();
        using var data = new SyntheticFaceDataset(classes: 6, imagesPerClass: 4, seed: 3);
        var config = ConfigResolver.Resolve(null,
            dataset: new Dictionary<string, object?> { ["rec"] = "synthetic", ["num_classes"] = (long)data.NumClasses, ["num_image"] = (long)data.Count },
            set: new Hashtable
            {
                ["network"] = "mbf", ["embedding_size"] = 32, ["batch_size"] = 4, ["num_epoch"] = 2, ["lr"] = 0.05,
                ["num_workers"] = workers, ["frequent"] = 100, ["verbose"] = 1000, ["seed"] = 11,
            });
        using var trainer = new Trainer(new TrainingRequest(config, data, temp["run"]), new RecordingObserver());
        var outcome = trainer.Run(CancellationToken.None);
        using var state = PthReader.Read(outcome.Final.ModelPath);
        return state.Keys
            .SelectMany(k => state[k].to_type(TorchSharp.torch.ScalarType.Float32).data<float>().ToArray())
            .Select(BitConverter.SingleToInt32Bits)
            .ToArray();
    }

    [Fact]
    public void Two_runs_with_one_seed_and_thread_count_give_bit_identical_weights_whatever_the_loader_workers()
    {
        var twoWorkers = TrainedWeightBits(workers: 2);
        var oneWorker = TrainedWeightBits(workers: 1);
        Assert.Equal(twoWorkers.Length, oneWorker.Length);
        var differing = twoWorkers.Zip(oneWorker).Count(p => p.First != p.Second);
        Assert.True(differing == 0, $"{differing} of {twoWorkers.Length} weights differ");
    }
}

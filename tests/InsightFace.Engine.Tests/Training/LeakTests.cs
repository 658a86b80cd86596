using System.Collections;
using InsightFace.Engine.Configuration;
using InsightFace.Engine.Data.Synthetic;
using InsightFace.Engine.Data.Verification;
using InsightFace.Engine.Evaluation;
using InsightFace.Engine.Import;
using InsightFace.Engine.Tests.Data;
using InsightFace.Engine.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace InsightFace.Engine.Tests.Training;

/// <summary>
/// No tensor outlives its step: counted with TorchSharp's per-thread dispose-scope statistics (as TorchSharp's own
/// tests do), on the thread that trains, which is where the trainer creates every tensor.
/// </summary>
[Collection("Training")]
public class LeakTests
{
    private static long Live => DisposeScopeManager.Statistics.ThreadTotalLiveCount;

    internal static string HeldOutBin(SyntheticFaceDataset data, string folder)
    {
        var pairs = data.HeldOutPairs(20).ToList();
        var bin = Path.Combine(folder, "held_out.bin");
        VerificationBinWriter.Write(bin, new VerificationSet(
            pairs.SelectMany(p => new[] { p.ImageA, p.ImageB }).ToList(), pairs.Select(p => p.Same).ToList()));
        return bin;
    }

    [Fact]
    public void Training_steps_and_their_verifications_leave_no_tensor_behind()
    {
        using var temp = new TempFolder();
        using var data = new SyntheticFaceDataset(classes: 6, imagesPerClass: 4, seed: 3);
        var config = ConfigResolver.Resolve(null,
            dataset: new Dictionary<string, object?> { ["rec"] = "synthetic", ["num_classes"] = (long)data.NumClasses, ["num_image"] = (long)data.Count },
            set: new Hashtable
            {
                ["network"] = "mbf", ["embedding_size"] = 32, ["batch_size"] = 4, ["num_epoch"] = 2, ["lr"] = 0.05,
                ["num_workers"] = 1, ["frequent"] = 2, ["verbose"] = 3, ["seed"] = 11, ["val_targets"] = Array.Empty<string>(),
            });
        var request = new TrainingRequest(config, data, temp["run"]) { ValidationSets = [HeldOutBin(data, temp.Path)] };

        DisposeScopeManager.Statistics.Reset();
        var liveAtStep = new List<long>();
        var recorder = new RecordingObserver(_ => liveAtStep.Add(Live));
        using (var trainer = new Trainer(request, recorder))
            trainer.Run(CancellationToken.None);

        // 12 steps, verification after steps 3, 6, 9 and 12, checkpoints after 6 and 12. From step 2 on (the optimizer's
        // state exists after the first) every step holds the same tensors: the model, its optimizer state and nothing
        // that accumulates. A copy made as t.detach().cpu().clone() outside a dispose scope leaks the two intermediate
        // tensors: StateDict.From did (666 per checkpoint of mbf), Trainer.Save's copy of the head still does (4).
        Assert.Equal(12, liveAtStep.Count);
        Assert.Equal(4, recorder.Verifications.Count);
        Assert.All(liveAtStep.Skip(2), live => Assert.Equal(liveAtStep[1], live));
        // Disposing the trainer releases the model and its state too: nothing created on this thread is left.
        Assert.Equal(0, Live);
    }

    [Fact]
    public void A_checkpoint_copy_of_a_state_dict_holds_only_its_copies()
    {
        using var backbone = nn.Sequential(nn.Conv2d(3, 4, 3), nn.BatchNorm2d(4));
        DisposeScopeManager.Statistics.Reset();
        using (var state = StateDict.From(backbone))
            Assert.Equal(state.Count, Live); // weight, bias, running_mean, running_var, num_batches_tracked, …
        Assert.Equal(0, Live);
    }

    [Fact]
    public void A_verification_run_leaves_no_tensor_behind()
    {
        using var temp = new TempFolder();
        using var data = new SyntheticFaceDataset(classes: 6, imagesPerClass: 4, seed: 3);
        var bin = HeldOutBin(data, temp.Path);
        using var conv = nn.Conv2d(3, 8, 8, stride: 8, bias: false);
        using var backbone = nn.Sequential(conv, nn.AvgPool2d(7), nn.Flatten());
        var runner = new VerificationRunner(new TorchModuleEmbedder(backbone, "fixed conv"), new VerificationOptions { BatchSize = 7 });

        DisposeScopeManager.Statistics.Reset();
        var result = runner.Run(bin);
        Assert.Equal(20, result.Pairs);
        Assert.Equal(0, Live);
    }
}

using System.Collections;
using InsightFace.Engine.Backbones;
using InsightFace.Engine.Evaluation;
using InsightFace.Engine.Tests.Data;
using InsightFace.Engine.Tests.Support;
using InsightFace.Engine.Tests.Training;
using InsightFace.Engine.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace InsightFace.Engine.Tests.Runtime;

/// <summary>
/// Training steps and inference leave no TorchSharp Scalar to the finalizer, which may free one while libtorch reads
/// it (src/InsightFace.Engine/BannedSymbols.txt; bench/ScalarRace reproduces the failure). The analyzer keeps the
/// engine's own calls explicit; these tests catch what TorchSharp does inside the calls we make.
/// </summary>
[Collection("Training")]
public class ScalarLifetimeTests
{
    [Fact]
    public void The_counter_sees_the_Scalars_an_implicit_conversion_leaves_and_none_that_are_held()
    {
        using var listener = new ScalarFinalizations();
        var start = listener.Count();
        using (var scope = NewDisposeScope())
        {
            var sum = zeros(4);
            for (var i = 0; i < 100; i++) sum.add_(ones(4), alpha: 0.5);
        }
        var implicitScalars = listener.Count() - start;
        using (var scope = NewDisposeScope())
        {
            using var half = 0.5.ToScalar();
            var sum = zeros(4);
            for (var i = 0; i < 100; i++) sum.add_(ones(4), alpha: half);
        }
        var heldScalars = listener.Count() - start - implicitScalars;
        // All 100 but the last, which a register may still hold.
        Assert.InRange(implicitScalars, 99, 100);
        Assert.Equal(0, heldScalars);
    }

    [Theory]
    [InlineData("mbf", "sgd", "sparse")]
    [InlineData("mbf", "sgd", "dense")]
    [InlineData("mbf", "adamw", "dense")]
    [InlineData("r18", "sgd", "sparse")]
    public void Training_steps_leave_no_Scalar_to_the_finalizer(string network, string optimizer, string update)
    {
        using var temp = new TempFolder();
        using var data = TinyRun.Data();
        var config = TinyRun.Config(data, new Hashtable
        {
            ["network"] = network, ["optimizer"] = optimizer, ["pfc_update"] = update, ["sample_rate"] = 0.5,
            ["verbose"] = 3, ["val_targets"] = Array.Empty<string>(),
        });
        using var listener = new ScalarFinalizations();
        var steps = 0;
        using var trainer = new Trainer(new TrainingRequest(config, data, temp["run"]), new RecordingObserver(_ => steps++));
        // Building the network may leave some (TorchSharp's PReLU fills its weight through one); that happens once.
        var built = listener.Count();
        trainer.Run(CancellationToken.None);

        Assert.Equal(6, steps);
        Assert.Equal(built, listener.Count());
    }

    [Fact]
    public void A_verification_run_leaves_no_Scalar_to_the_finalizer()
    {
        using var temp = new TempFolder();
        using var data = TinyRun.Data();
        var bin = LeakTests.HeldOutBin(data, temp.Path);
        using var backbone = BackboneRegistry.Create("mbf", new BackboneOptions { EmbeddingSize = 32 });
        var runner = new VerificationRunner(new TorchModuleEmbedder(backbone, "mbf"), new VerificationOptions { BatchSize = 7 });

        using var listener = new ScalarFinalizations();
        var start = listener.Count();
        Assert.Equal(20, runner.Run(bin).Pairs);
        Assert.Equal(start, listener.Count());
    }
}

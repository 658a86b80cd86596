using System.Collections;
using System.Globalization;
using InsightFace.Engine.Checkpoints;
using InsightFace.Engine.Configuration;
using InsightFace.Engine.Data.Synthetic;
using InsightFace.Engine.Distributed;
using InsightFace.Engine.Evaluation;
using InsightFace.Engine.Training;

namespace InsightFace.Distributed.Worker;

/// <summary>
/// A whole training job through the Trainer, as Start-FaceTraining runs it on each rank:
/// <c>train RUN_FOLDER BATCH_PER_RANK STOP_AT_STEP RESUME</c> on 24 synthetic faces of 6 identities, mbf at E = 32,
/// 2 epochs, gradient_acc 2, saving every state. Rank 0 prints "loss STEP VALUE" for every step; with STOP_AT_STEP
/// above 0, rank 0 asks for a stop once that step is done (as Ctrl+C would), every rank saves its part of the
/// interrupt checkpoint, and the case prints "stopped". RESUME 1 continues the run folder's newest checkpoint.
/// An optional fifth argument DIE_AT_STEP makes rank 0 kill its own process (SIGKILL) once that step is done, as a
/// crashed or OOM-killed rank would end.
/// </summary>
internal static class TrainingCase
{
    public static void Run(ICollectives collectives, string[] arguments)
    {
        var folder = arguments[0];
        var batch = int.Parse(arguments[1], CultureInfo.InvariantCulture);
        var stopAt = long.Parse(arguments[2], CultureInfo.InvariantCulture);
        var dieAt = arguments.Length > 4 ? long.Parse(arguments[4], CultureInfo.InvariantCulture) : -1;
        using var data = new SyntheticFaceDataset(classes: 6, imagesPerClass: 4, seed: 3);
        var config = ConfigResolver.Resolve(null,
            dataset: new Dictionary<string, object?> { ["rec"] = "synthetic", ["num_classes"] = 6L, ["num_image"] = 24L },
            set: new Hashtable
            {
                ["network"] = "mbf", ["embedding_size"] = 32, ["batch_size"] = batch, ["num_epoch"] = 2, ["lr"] = 0.05,
                ["gradient_acc"] = 2, ["num_workers"] = 1, ["frequent"] = 1000, ["verbose"] = 1000, ["seed"] = 11,
            }, worldSize: collectives.WorldSize);
        using var stop = new CancellationTokenSource();
        var request = new TrainingRequest(config, data, folder) { Collectives = collectives, Resume = arguments[3] == "1" };
        using var trainer = new Trainer(request, new Observer(stop, stopAt, dieAt));
        try
        {
            var outcome = trainer.Run(stop.Token);
            Console.WriteLine($"final {outcome.Final.Folder}");
        }
        catch (OperationCanceledException)
        {
            Console.WriteLine("stopped");
        }
    }

    // Callbacks run on rank 0 only, so only rank 0's observer hears of steps; the ranks agree on the stop.
    private sealed class Observer(CancellationTokenSource stop, long stopAt, long dieAt) : ITrainingObserver
    {
        public void Message(string text)
        {
        }

        public void Step(TrainingStep step)
        {
            Console.WriteLine(FormattableString.Invariant($"loss {step.GlobalStep} {step.Loss:R}"));
            if (step.GlobalStep == stopAt) stop.Cancel();
            if (step.GlobalStep == dieAt) System.Diagnostics.Process.GetCurrentProcess().Kill();
        }

        public void Logged(TrainingMetrics metrics)
        {
        }

        public void Verified(long globalStep, IReadOnlyList<VerificationResult> results)
        {
        }

        public void CheckpointSaved(CheckpointInfo checkpoint)
        {
        }
    }
}

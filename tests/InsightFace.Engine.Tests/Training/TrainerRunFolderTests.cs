using System.Collections;
using InsightFace.Engine.Checkpoints;
using InsightFace.Engine.Tests.Data;
using InsightFace.Engine.Tests.Support;
using InsightFace.Engine.Training;
using TorchSharp;

namespace InsightFace.Engine.Tests.Training;

/// <summary>What a run does to its folder: the lock, failed starts, finished runs and failing callbacks.</summary>
[Collection("Training")]
public class TrainerRunFolderTests
{
    private static TrainingException Locked(Action start)
    {
        var e = Assert.Throws<TrainingException>(start);
        Assert.Equal("RunFolderLocked", e.ErrorId);
        return e;
    }

    [Fact]
    public void A_second_training_into_a_held_run_folder_is_refused_naming_the_holder()
    {
        using var folder = new TempFolder();
        using var data = TinyRun.Data();
        var run = folder["run"];
        var request = new TrainingRequest(TinyRun.Config(data), data, run);
        var planned = TrainingPlan.Create(request); // planned before the folder was taken

        using (new Trainer(request, new RecordingObserver()))
        {
            var e = Locked(() => TrainingPlan.Create(request with { Overwrite = true }));
            Assert.Contains($"process id {Environment.ProcessId} on {Environment.MachineName}", e.Message);
            Locked(() => new Trainer(planned, new RecordingObserver()).Dispose());
        }

        // Released on every way out: disposal above, a run that fails, a start that fails.
        var nan = TinyRun.Config(data, new Hashtable { ["lr"] = 1e30, ["num_epoch"] = 3 });
        Assert.Equal("LossNotFinite", Assert.Throws<TrainingException>(() => TinyRun.Train(new TrainingRequest(nan, data, run) { Overwrite = true })).ErrorId);
        Assert.Throws<PipelineStopped>(() => new Trainer(request with { Overwrite = true }, new StopsOnMessage()));
        Assert.Equal(6, TinyRun.Train(request with { Overwrite = true }).Final.Manifest.GlobalStep);
    }

    private static string[] LoaderThreads() =>
        Directory.GetDirectories("/proc/self/task").Select(t => File.ReadAllText(Path.Combine(t, "comm")).Trim())
            .Where(name => name.StartsWith("InsightFace loa", StringComparison.Ordinal)).ToArray();

    [ProcFsFact]
    public void A_constructor_that_fails_stops_the_loader_frees_the_model_and_leaves_no_folder_it_made()
    {
        using var folder = new TempFolder();
        using var data = TinyRun.Data();
        var run = folder["run"];
        Directory.CreateDirectory(Path.Combine(run, "training.log")); // fails after the loader and the model exist
        var config = TinyRun.Config(data, new Hashtable { ["num_workers"] = 2 });
        var threads = LoaderThreads().Length;
        var live = DisposeScopeManager.Statistics.ThreadTotalLiveCount;

        Assert.ThrowsAny<UnauthorizedAccessException>(() => new Trainer(new TrainingRequest(config, data, run), new RecordingObserver()));

        Assert.Equal(threads, LoaderThreads().Length);
        Assert.Equal(live, DisposeScopeManager.Statistics.ThreadTotalLiveCount);
        // The folder was there before, so it stays, with the (empty) lock file that a run leaves for the next one.
        Assert.Equal([".training.lock E3B0C44298FC1C149AFBF4C8996FB92427AE41E4649B934CA495991B7852B855", "training.log/"], TinyRun.Snapshot(run));
        Directory.Delete(run, recursive: true);

        // A folder the run created for itself is removed again when the start fails, even after it wrote its logs
        // (here the observer throws at the last moment, as PowerShell's WriteVerbose does once the pipeline stops).
        Assert.Throws<PipelineStopped>(() => new Trainer(new TrainingRequest(config, data, run), new StopsOnMessage()));
        Assert.False(Directory.Exists(run));
        Assert.Equal(threads, LoaderThreads().Length);
    }

    private sealed class PipelineStopped : Exception;

    private sealed class StopsOnMessage : ITrainingObserver
    {
        public void Message(string text) => throw new PipelineStopped();
        public void Step(TrainingStep step) { }
        public void Logged(TrainingMetrics metrics) { }
        public void Verified(long globalStep, IReadOnlyList<InsightFace.Engine.Evaluation.VerificationResult> results) { }
        public void CheckpointSaved(CheckpointInfo checkpoint) { }
    }

    [Fact]
    public void Resuming_a_finished_run_returns_its_final_checkpoint_and_changes_nothing()
    {
        using var folder = new TempFolder();
        using var data = TinyRun.Data();
        var run = folder["run"];
        var finished = TinyRun.Train(new TrainingRequest(TinyRun.Config(data), data, run));
        var before = TinyRun.Snapshot(run);

        var recorder = new RecordingObserver();
        var again = TinyRun.Train(new TrainingRequest(TinyRun.Config(data), data, run) { Resume = true }, recorder);

        Assert.Equal(finished.Final.Folder, again.Final.Folder);
        Assert.Equal(6, again.Final.Manifest.GlobalStep);
        Assert.Empty(again.Saved);
        Assert.Empty(recorder.Losses);
        Assert.Contains(recorder.Messages, m => m.Contains("nothing to train"));
        Assert.Equal(before, TinyRun.Snapshot(run));
    }

    [Theory]
    [InlineData(6, "epoch-0001")] // after the epoch's last batch: the epoch's own checkpoint
    [InlineData(3, "step-000000003")] // inside the epoch: a resumable step checkpoint
    public void A_failing_callback_still_writes_the_checkpoint_then_reports_the_error(int failAt, string expected)
    {
        using var folder = new TempFolder();
        using var data = TinyRun.Data();
        var run = folder["run"];
        var failing = new RecordingObserver(step =>
        {
            if (step.GlobalStep == failAt) throw new InvalidOperationException("the metrics file cannot be written");
        });

        var e = Assert.Throws<InvalidOperationException>(() => TinyRun.Train(new TrainingRequest(TinyRun.Config(data), data, run), failing));
        Assert.Equal("the metrics file cannot be written", e.Message);

        var saved = CheckpointStore.List(run)[^1];
        Assert.Equal(expected, Path.GetFileName(saved.Folder));
        Assert.Equal(failAt, saved.Manifest.GlobalStep);
        Assert.True(saved.Manifest.Resumable);
        Assert.Equal(6, TinyRun.Train(new TrainingRequest(TinyRun.Config(data), data, run) { Resume = true }).Final.Manifest.GlobalStep);
    }
}

using System.Diagnostics;
using InsightFace.Engine.Checkpoints;
using InsightFace.Engine.Distributed;
using InsightFace.Engine.Evaluation;
using InsightFace.Engine.Tests.Data;
using InsightFace.Engine.Training;

namespace InsightFace.Engine.Tests.Distributed;

// The job's launcher is faked by sh scripts that print what workers print; the last tests run the real mpiexecs.
public class WorkerJobTests
{
    private static readonly TimeSpan Grace = TimeSpan.FromSeconds(30);

    [Fact]
    public void A_finished_job_replays_its_events_passes_other_lines_on_and_returns_the_final_checkpoint()
    {
        using var folder = new TempFolder();
        var checkpoint = Save(folder.Path, 6);
        var events = Events(folder, "events", 0, writer =>
        {
            writer.Message("device cpu");
            writer.Step(new TrainingStep(0, 1, 6, 6, 2.5, 0.1, 10, TimeSpan.FromSeconds(5)));
            writer.CheckpointSaved(checkpoint);
            writer.Finished(checkpoint);
        });
        var observer = new Recorder();

        var final = WorkerJob.Run(Shell($"echo starting >&2; cat '{events}'"), observer, 2, CancellationToken.None, Grace);

        Assert.Equal(checkpoint.Folder, final.Folder);
        Assert.Equal(["device cpu"], observer.Messages);
        Assert.Equal(1, Assert.Single(observer.Steps).GlobalStep);
        Assert.Equal(checkpoint.Folder, Assert.Single(observer.Checkpoints).Folder);
        Assert.Equal(["starting"], observer.Output);
    }

    [Fact]
    public void A_worker_error_ends_the_run_with_its_id_and_rank()
    {
        using var folder = new TempFolder();
        var failed = Events(folder, "failed", 1, writer => writer.Failed(ErrorIds.LossNotFinite, "The loss is NaN at step 3."));

        var error = Assert.Throws<WorkerFailedException>(() =>
            WorkerJob.Run(Shell($"cat '{failed}' >&2; echo 'MPI_ABORT was invoked on rank 1' >&2; exit 1"), new Recorder(), 2, CancellationToken.None, Grace));

        Assert.Equal(ErrorIds.LossNotFinite, error.ErrorId);
        Assert.Equal(1, error.Rank);
        Assert.Equal("Rank 1 of 2 failed: The loss is NaN at step 3.", error.Message);
    }

    [Fact]
    public void The_error_of_a_job_of_one_worker_keeps_the_worker_s_message_as_it_is()
    {
        using var folder = new TempFolder();
        var failed = Events(folder, "failed", 0, writer => writer.Failed(ErrorIds.LossNotFinite, "The loss is NaN at step 3."));

        var error = Assert.Throws<WorkerFailedException>(() =>
            WorkerJob.Run(Shell($"cat '{failed}'; exit 1"), new Recorder(), 1, CancellationToken.None, Grace));

        Assert.Equal(ErrorIds.LossNotFinite, error.ErrorId);
        Assert.Equal("The loss is NaN at step 3.", error.Message);
    }

    [Fact]
    public void A_job_of_one_worker_that_ends_without_a_word_is_WorkerFailed_naming_the_training_process()
    {
        var error = Assert.Throws<TrainingException>(() =>
            WorkerJob.Run(Shell("echo 'Killed' >&2; exit 137"), new Recorder(), 1, CancellationToken.None, Grace));
        Assert.Equal(ErrorIds.WorkerFailed, error.ErrorId);
        Assert.StartsWith("The training process ended (sh exit code 137) without a final checkpoint or an error of its own. It never said it started. The last output:", error.Message);
        Assert.EndsWith("Killed", error.Message);
    }

    [Theory]
    [InlineData("echo 'Segmentation fault' >&2; exit 139", "exit code 139")]
    [InlineData("echo 'Segmentation fault' >&2; exit 0", "exit code 0")]
    public void A_job_that_ends_without_a_final_checkpoint_or_an_error_is_WorkerFailed_naming_the_ranks_processes_and_quoting_its_last_output(string script, string exit)
    {
        using var folder = new TempFolder();
        var started = Events(folder, "started", 0, writer => writer.Started());
        var error = Assert.Throws<TrainingException>(() =>
            WorkerJob.Run(Shell($"cat '{started}'; {script}"), new Recorder(), 3, CancellationToken.None, Grace));
        Assert.Equal(ErrorIds.WorkerFailed, error.ErrorId);
        Assert.Contains($"The 3 worker processes ended (sh {exit}) without a final checkpoint or an error of their own. " +
                        $"The ranks ran as rank 0: process {Environment.ProcessId} on {Environment.MachineName}, rank 1: (never started), rank 2: (never started).", error.Message);
        Assert.EndsWith("Segmentation fault", error.Message);
    }

    [Fact]
    public void A_stop_reaches_the_job_as_the_stop_signal_and_is_reported_once_the_job_has_saved_and_ended()
    {
        using var folder = new TempFolder();
        var saved = Events(folder, "saved", 0, writer => writer.CheckpointSaved(Save(folder.Path, 3)));
        using var stop = new CancellationTokenSource();
        var observer = new Recorder(line => { if (line == "ready") stop.Cancel(); });

        Assert.ThrowsAny<OperationCanceledException>(() => WorkerJob.Run(
            Shell($"trap \"cat '{saved}'; echo saved; exit 0\" USR1; echo ready; while :; do sleep 0.1; done"), observer, 2, stop.Token, Grace));

        Assert.Equal(["ready", "saved"], observer.Output);
        Assert.Equal(3, Assert.Single(observer.Checkpoints).Manifest.GlobalStep);
    }

    [Fact]
    public void A_job_that_ignores_the_stop_is_killed_with_its_children_after_the_grace()
    {
        using var stop = new CancellationTokenSource();
        var observer = new Recorder(line => { if (line == "ready") stop.Cancel(); });
        var clock = Stopwatch.StartNew();

        Assert.ThrowsAny<OperationCanceledException>(() =>
            WorkerJob.Run(Shell("trap '' USR1; echo ready; sleep 600"), observer, 2, stop.Token, TimeSpan.FromSeconds(1)));

        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(60), $"took {clock.Elapsed}");
        Assert.Contains("The workers did not end within 1 s of the stop: they are killed.", observer.Output);
    }

    // Both MPIs' mpiexec pass the stop signal on to every rank at once and wait for them to end (SIGTERM and SIGINT would
    // not do: Open MPI's kills the ranks a second later).
    [LauncherFact("mpiexec.openmpi")]
    public void Open_MPI_passes_the_stop_on_to_every_rank_and_waits_for_them() => StopReachesEveryRank("mpiexec.openmpi");

    [LauncherFact("mpiexec.mpich")]
    public void MPICH_passes_the_stop_on_to_every_rank_and_waits_for_them() => StopReachesEveryRank("mpiexec.mpich");

    private static void StopReachesEveryRank(string name)
    {
        const int ranks = 3;
        var launcher = MpiLauncher.Find(n => n == MpiLauncher.Variable ? name : Environment.GetEnvironmentVariable(n), library: null);
        using var stop = new CancellationTokenSource();
        var ready = 0;
        var observer = new Recorder(line => { if (line.StartsWith("ready") && Interlocked.Increment(ref ready) == ranks) stop.Cancel(); });
        var rank = "${OMPI_COMM_WORLD_RANK:-$PMI_RANK}";
        var worker = $"trap 'sleep 2; echo stopped {rank}; exit 0' USR1; echo ready {rank}; while :; do sleep 0.1; done";

        Assert.ThrowsAny<OperationCanceledException>(() =>
            WorkerJob.Run(launcher.Command(ranks, 1, ["sh", "-c", worker]), observer, ranks, stop.Token, TimeSpan.FromSeconds(60)));

        // Each rank took 2 s after the signal to "save" and said so: none was killed before.
        Assert.Equal(Enumerable.Range(0, ranks).Select(r => $"stopped {r}"), observer.Output.Where(l => l.StartsWith("stopped")).Order(StringComparer.Ordinal));
    }

    private static MpiCommand Shell(string script) => new("/bin/sh", ["-c", script], new Dictionary<string, string>());

    private static string Events(TempFolder folder, string name, int rank, Action<WorkerEventWriter> write)
    {
        using (var file = new StreamWriter(folder[name])) write(new WorkerEventWriter(file, rank));
        return folder[name];
    }

    private static CheckpointInfo Save(string run, long step) =>
        CheckpointStore.Save(run, new CheckpointManifest { Network = "mbf", EmbeddingSize = 32, GlobalStep = step, Resumable = true },
            folder => File.WriteAllText(Path.Combine(folder, CheckpointManifest.ModelFileName), "weights"), keep: 5);

    private sealed class Recorder(Action<string>? onOutput = null) : IWorkerObserver
    {
        public List<string> Messages { get; } = new();
        public List<string> Output { get; } = new();
        public List<TrainingStep> Steps { get; } = new();
        public List<CheckpointInfo> Checkpoints { get; } = new();

        public void Message(string text) => Messages.Add(text);
        public void Warning(string text) => Messages.Add("WARNING: " + text);
        void IWorkerObserver.Output(string line)
        {
            Output.Add(line);
            onOutput?.Invoke(line);
        }
        public void Step(TrainingStep step) => Steps.Add(step);
        public void Logged(TrainingMetrics metrics) { }
        public void Verified(long globalStep, IReadOnlyList<VerificationResult> results) { }
        public void CheckpointSaved(CheckpointInfo checkpoint) => Checkpoints.Add(checkpoint);
    }
}

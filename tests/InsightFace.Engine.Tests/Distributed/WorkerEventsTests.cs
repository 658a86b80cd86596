using InsightFace.Engine.Checkpoints;
using InsightFace.Engine.Distributed;
using InsightFace.Engine.Evaluation;
using InsightFace.Engine.Tests.Data;
using InsightFace.Engine.Training;

namespace InsightFace.Engine.Tests.Distributed;

public class WorkerEventsTests
{
    [Fact]
    public void Every_event_a_worker_writes_is_replayed_as_it_was()
    {
        using var run = new TempFolder();
        var epoch = Save(run.Path, epoch: 1, step: 6);
        var final = Save(run.Path, epoch: 2, step: 12);
        var step = new TrainingStep(1, 7, 12, 6, 3.25, 0.05, 17.5, TimeSpan.FromSeconds(42.5));
        var nanStep = step with { GlobalStep = 8, Loss = double.NaN };
        var metrics = new TrainingMetrics(1, 8, 3.5, 0.04, 16.25, 0.01, "Speed 16.25 samples/sec   Loss 3.5000");
        var verification = Verification("lfw");

        var lines = Written(rank: 0, writer =>
        {
            writer.Started();
            writer.Warning("lfw has one kind of pair");
            writer.Message("device cpu");
            writer.Step(step);
            writer.Step(nanStep);
            writer.Logged(metrics);
            writer.Verified(8, [verification]);
            writer.CheckpointSaved(epoch);
            writer.Finished(final);
        });
        Assert.All(lines, line => Assert.StartsWith("@InsightFace.WorkerEvent {", line));

        var observer = new ReplayingObserver();
        var reader = new WorkerEventReader(observer);
        foreach (var line in lines) reader.Read(line);

        Assert.Equal([new WorkerProcess(0, Environment.ProcessId, Environment.MachineName)], reader.Started);
        Assert.Equal(["lfw has one kind of pair"], observer.Warnings);
        Assert.Equal([$"Rank 0 runs as process {Environment.ProcessId} on {Environment.MachineName}.", "device cpu"], observer.Messages);
        Assert.Equal([step, nanStep], observer.Steps);
        Assert.Equal([metrics], observer.Logs);
        var (atStep, results) = Assert.Single(observer.Verifications);
        Assert.Equal(8, atStep);
        var replayed = Assert.Single(results);
        Assert.Equal(verification with { Metrics = null! }, replayed with { Metrics = null! });
        Assert.Equal(verification.Metrics.Tpr, replayed.Metrics.Tpr);
        Assert.Equal(verification.Metrics.FoldAccuracies, replayed.Metrics.FoldAccuracies);
        Assert.Equal(epoch.Folder, Assert.Single(observer.Checkpoints).Folder);
        Assert.Equal(6, observer.Checkpoints[0].Manifest.GlobalStep);
        Assert.Equal(final.Folder, reader.Final?.Folder);
        Assert.Equal(12, reader.Final?.Manifest.GlobalStep);
        Assert.Null(reader.Error);
        Assert.Empty(observer.Output);
    }

    [Fact]
    public void A_failure_names_its_rank_id_and_message_and_the_first_one_counts()
    {
        var lines = Written(rank: 1, writer => writer.Failed(ErrorIds.LossNotFinite, "The loss is NaN at step 3."))
            .Concat(Written(rank: 0, writer => writer.Failed(ErrorIds.OperationStopped, "stopped")));
        var reader = new WorkerEventReader(new ReplayingObserver());
        foreach (var line in lines) reader.Read(line);
        Assert.Equal(new WorkerError(1, ErrorIds.LossNotFinite, "The loss is NaN at step 3."), reader.Error);

        var exception = new WorkerFailedException(reader.Error!, worldSize: 2);
        Assert.Equal(ErrorIds.LossNotFinite, exception.ErrorId);
        Assert.Equal(1, exception.Rank);
        Assert.Equal("Rank 1 of 2 failed: The loss is NaN at step 3.", exception.Message);
    }

    [Fact]
    public void A_rank_s_own_failure_wins_over_RankFailed_of_a_rank_that_stopped_because_of_it()
    {
        var lines = Written(rank: 1, writer => writer.Failed(ErrorIds.RankFailed, "Rank 1 stops at step 3 because rank 0's logging or verification failed."))
            .Concat(Written(rank: 0, writer => writer.Failed(ErrorIds.IOError, "No space left on device")))
            .Concat(Written(rank: 2, writer => writer.Failed(ErrorIds.RankFailed, "Rank 2 stops.")));
        var reader = new WorkerEventReader(new ReplayingObserver());
        foreach (var line in lines) reader.Read(line);
        Assert.Equal(new WorkerError(0, ErrorIds.IOError, "No space left on device"), reader.Error);
    }

    [Fact]
    public void Lines_without_the_prefix_and_malformed_events_are_passed_on_as_output()
    {
        using var run = new TempFolder();
        string[] lines =
        [
            "MPI_ABORT was invoked on rank 1 in communicator MPI_COMM_WORLD",
            "",
            "@InsightFace.WorkerEvent {\"Event\":\"step\",\"Rank\":0,\"Step\":{\"Epo",
            "@InsightFace.WorkerEvent not json",
            "@InsightFace.WorkerEvent {\"Event\":\"step\",\"Rank\":0}",
            "@InsightFace.WorkerEvent {\"Event\":\"teleport\",\"Rank\":0}",
            "@InsightFace.WorkerEvent null",
            $"@InsightFace.WorkerEvent {{\"Event\":\"checkpoint\",\"Rank\":0,\"Folder\":\"{run["gone"]}\"}}",
        ];
        var observer = new ReplayingObserver();
        var reader = new WorkerEventReader(observer);
        foreach (var line in lines) reader.Read(line);

        Assert.Equal(lines, observer.Output);
        Assert.Empty(observer.Messages);
        Assert.Empty(observer.Steps);
        Assert.Empty(observer.Checkpoints);
        Assert.Null(reader.Final);
        Assert.Null(reader.Error);
    }

    [Fact]
    public void Text_before_an_event_is_passed_on_and_the_event_replayed_and_a_pseudo_terminal_s_carriage_return_is_dropped()
    {
        var observer = new ReplayingObserver();
        var reader = new WorkerEventReader(observer);
        reader.Read("\u001b[?1h\u001b=@InsightFace.WorkerEvent {\"Event\":\"message\",\"Rank\":0,\"Text\":\"device cpu\"}\r");
        reader.Read("partial line@InsightFace.WorkerEvent {\"Event\":\"warning\",\"Rank\":0,\"Text\":\"careful\"}");
        reader.Read("plain\r");
        Assert.Equal(["device cpu"], observer.Messages);
        Assert.Equal(["careful"], observer.Warnings);
        Assert.Equal(["\u001b[?1h\u001b=", "partial line", "plain"], observer.Output);
    }

    [Fact]
    public void A_finished_run_whose_checkpoint_cannot_be_read_has_no_final_checkpoint()
    {
        using var run = new TempFolder();
        var final = Save(run.Path, epoch: 1, step: 6);
        var lines = Written(rank: 0, writer => writer.Finished(final));
        Directory.Delete(run.Path, recursive: true);
        var observer = new ReplayingObserver();
        var reader = new WorkerEventReader(observer);
        reader.Read(lines.Single());
        Assert.Null(reader.Final);
        Assert.Equal(lines, observer.Output);
    }

    private static string[] Written(int rank, Action<WorkerEventWriter> write)
    {
        var output = new StringWriter();
        write(new WorkerEventWriter(output, rank));
        return output.ToString().Split(Environment.NewLine, StringSplitOptions.RemoveEmptyEntries);
    }

    private static CheckpointInfo Save(string run, int epoch, long step) =>
        CheckpointStore.Save(run, new CheckpointManifest { Network = "mbf", EmbeddingSize = 32, Epoch = epoch, GlobalStep = step, Loss = 3.5, Resumable = true },
            folder => File.WriteAllText(Path.Combine(folder, CheckpointManifest.ModelFileName), "weights"), keep: 5);

    private static VerificationResult Verification(string target)
    {
        var metrics = new ProtocolMetrics(0.75, 0.05, [0.7, 0.8], [1.2, 1.3], 1.25, double.NaN, 0, 0.001, 1e-3,
            [0.0, 0.01, 0.02], [0.0, 0.5, 1.0], [0.0, 0.25, 1.0]);
        return new VerificationResult(target, 20, 0.75, 0.05, 21.5, 1.25, double.NaN, 0.001, true, "mbf step 8", metrics,
            TimeSpan.FromMilliseconds(1500), TimeSpan.FromSeconds(2));
    }

    private sealed class ReplayingObserver : IWorkerObserver
    {
        public List<string> Messages { get; } = new();
        public List<string> Warnings { get; } = new();
        public List<string> Output { get; } = new();
        public List<TrainingStep> Steps { get; } = new();
        public List<TrainingMetrics> Logs { get; } = new();
        public List<(long, IReadOnlyList<VerificationResult>)> Verifications { get; } = new();
        public List<CheckpointInfo> Checkpoints { get; } = new();

        public void Message(string text) => Messages.Add(text);
        public void Warning(string text) => Warnings.Add(text);
        void IWorkerObserver.Output(string line) => Output.Add(line);
        public void Step(TrainingStep step) => Steps.Add(step);
        public void Logged(TrainingMetrics metrics) => Logs.Add(metrics);
        public void Verified(long globalStep, IReadOnlyList<VerificationResult> results) => Verifications.Add((globalStep, results));
        public void CheckpointSaved(CheckpointInfo checkpoint) => Checkpoints.Add(checkpoint);
    }
}

using System.Text.Json;
using InsightFace.Engine.Checkpoints;

namespace InsightFace.Engine.Distributed;

/// <summary>Receives a multi-process training's events: the training observer's, and what only a launcher sees.</summary>
public interface IWorkerObserver : Training.ITrainingObserver
{
    /// <summary>A warning of the run's plan, given before training starts.</summary>
    void Warning(string text);

    /// <summary>A line a worker or the MPI launcher printed that is not an event (or an event line that could not be read).</summary>
    void Output(string line);
}

/// <summary>A worker's failure, as it reported it.</summary>
/// <param name="Rank">The rank that failed.</param>
/// <param name="ErrorId">Its error id (one of <see cref="ErrorIds"/>).</param>
/// <param name="Message">Its message.</param>
public sealed record WorkerError(int Rank, string ErrorId, string Message);

/// <summary>A rank of a multi-process training, as it said it started.</summary>
/// <param name="Rank">Its rank.</param>
/// <param name="ProcessId">Its process id.</param>
/// <param name="Host">The machine it runs on.</param>
public sealed record WorkerProcess(int Rank, int ProcessId, string Host);

/// <summary>
/// Reads the lines a multi-process training prints (<see cref="WorkerEventWriter"/>'s events, mixed with anything else)
/// and replays each event on an <see cref="IWorkerObserver"/>, so the launching process reports the run as if it had
/// trained itself. A checkpoint travels as its folder and is read again from disk here. Call it from one thread at a time.
/// </summary>
/// <param name="observer">Receives the replayed events.</param>
public sealed class WorkerEventReader(IWorkerObserver observer)
{
    private readonly List<WorkerProcess> _started = new();

    /// <summary>The run's final checkpoint, once a worker has said the run finished.</summary>
    public CheckpointInfo? Final { get; private set; }

    /// <summary>The ranks that said they started, in the order they did.</summary>
    public IReadOnlyList<WorkerProcess> Started => _started;

    /// <summary>The first failure a worker reported, preferring one of a rank's own to RankFailed; null when none did.</summary>
    public WorkerError? Error { get; private set; }

    /// <summary>
    /// Replays the event on <paramref name="line"/>, or passes the line on as output when it holds none. Text before an
    /// event (what a worker printed without ending its line, or a terminal's control codes) is passed on as output.
    /// </summary>
    public void Read(string line)
    {
        // A pseudo-terminal (Open MPI gives ranks one) may end lines with \r\n.
        line = line.TrimEnd('\r');
        var at = line.IndexOf(WorkerEvent.Prefix, StringComparison.Ordinal);
        if (at < 0)
        {
            observer.Output(line);
            return;
        }
        if (at > 0) observer.Output(line[..at]);
        var text = line[at..];
        WorkerEvent? e;
        try
        {
            e = JsonSerializer.Deserialize<WorkerEvent>(text.AsSpan(WorkerEvent.Prefix.Length), WorkerEvent.Json);
        }
        catch (JsonException)
        {
            e = null;
        }
        if (e is null || !Replay(e)) observer.Output(text);
    }

    // False when the event lacks what its kind needs, or names a checkpoint that cannot be read.
    private bool Replay(WorkerEvent e)
    {
        switch (e.Event)
        {
            case WorkerEvent.Kinds.Started when e is { ProcessId: { } processId, Text: { } host }:
                _started.Add(new WorkerProcess(e.Rank, processId, host));
                observer.Message($"Rank {e.Rank} runs as process {processId} on {host}.");
                return true;
            case WorkerEvent.Kinds.Message when e.Text is { } text:
                observer.Message(text);
                return true;
            case WorkerEvent.Kinds.Warning when e.Text is { } text:
                observer.Warning(text);
                return true;
            case WorkerEvent.Kinds.Step when e.Step is { } step:
                observer.Step(step);
                return true;
            case WorkerEvent.Kinds.Logged when e.Metrics is { } metrics:
                observer.Logged(metrics);
                return true;
            case WorkerEvent.Kinds.Verified when e is { GlobalStep: { } globalStep, Results: { } results }:
                observer.Verified(globalStep, results);
                return true;
            case WorkerEvent.Kinds.Checkpoint when Open(e.Folder) is { } checkpoint:
                observer.CheckpointSaved(checkpoint);
                return true;
            case WorkerEvent.Kinds.Finished when Open(e.Folder) is { } final:
                Final = final;
                return true;
            case WorkerEvent.Kinds.Failed when e is { ErrorId: { } id, Text: { } message }:
                // A rank that stopped because another failed (RankFailed) may say so before the one that failed.
                if (Error is null || (Error.ErrorId == ErrorIds.RankFailed && id != ErrorIds.RankFailed)) Error = new WorkerError(e.Rank, id, message);
                return true;
            default:
                return false;
        }
    }

    private static CheckpointInfo? Open(string? folder)
    {
        if (folder is null) return null;
        try
        {
            return CheckpointStore.Open(folder);
        }
        catch (Exception e) when (e is CheckpointException or IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }
}

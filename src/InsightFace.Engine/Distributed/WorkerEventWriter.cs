using System.Text.Json;
using InsightFace.Engine.Checkpoints;
using InsightFace.Engine.Evaluation;
using InsightFace.Engine.Training;

namespace InsightFace.Engine.Distributed;

/// <summary>
/// Writes what a worker of a multi-process training does as worker event lines (<see cref="WorkerEvent"/>), for the
/// launching process to replay with a <see cref="WorkerEventReader"/>. Each event is one line, written and flushed
/// at once.
/// </summary>
/// <param name="output">Where the lines go: rank 0's standard output, or standard error for another rank's failure.</param>
/// <param name="rank">The rank that writes.</param>
public sealed class WorkerEventWriter(TextWriter output, int rank) : ITrainingObserver
{
    private readonly object _gate = new();

    /// <summary>The checkpoint reported last: after a stop, the resumable one the run saved.</summary>
    public CheckpointInfo? LastSaved { get; private set; }

    /// <summary>This rank runs as this process on this machine: a launcher can then name the rank of a process that dies.</summary>
    public void Started() =>
        Write(new WorkerEvent(WorkerEvent.Kinds.Started, rank) { ProcessId = Environment.ProcessId, Text = Environment.MachineName });

    /// <inheritdoc />
    public void Message(string text) => Write(new WorkerEvent(WorkerEvent.Kinds.Message, rank) { Text = text });

    /// <inheritdoc />
    public void Step(TrainingStep step) => Write(new WorkerEvent(WorkerEvent.Kinds.Step, rank) { Step = step });

    /// <inheritdoc />
    public void Logged(TrainingMetrics metrics) => Write(new WorkerEvent(WorkerEvent.Kinds.Logged, rank) { Metrics = metrics });

    /// <inheritdoc />
    public void Verified(long globalStep, IReadOnlyList<VerificationResult> results) =>
        Write(new WorkerEvent(WorkerEvent.Kinds.Verified, rank) { GlobalStep = globalStep, Results = results });

    /// <inheritdoc />
    public void CheckpointSaved(CheckpointInfo checkpoint)
    {
        LastSaved = checkpoint;
        Write(new WorkerEvent(WorkerEvent.Kinds.Checkpoint, rank) { Folder = checkpoint.Folder });
    }

    /// <summary>Something the user should know before the run starts (the plan's warnings).</summary>
    public void Warning(string text) => Write(new WorkerEvent(WorkerEvent.Kinds.Warning, rank) { Text = text });

    /// <summary>The run ended, and <paramref name="final"/> is its final checkpoint.</summary>
    public void Finished(CheckpointInfo final) => Write(new WorkerEvent(WorkerEvent.Kinds.Finished, rank) { Folder = final.Folder });

    /// <summary>This rank failed with <paramref name="errorId"/> (one of <see cref="ErrorIds"/>) and <paramref name="message"/>.</summary>
    public void Failed(string errorId, string message) =>
        Write(new WorkerEvent(WorkerEvent.Kinds.Failed, rank) { ErrorId = errorId, Text = message });

    private void Write(WorkerEvent e)
    {
        var line = WorkerEvent.Prefix + JsonSerializer.Serialize(e, WorkerEvent.Json);
        lock (_gate)
        {
            output.WriteLine(line);
            output.Flush();
        }
    }
}

using System.Collections.Concurrent;
using System.Diagnostics;
using InsightFace.Engine.Checkpoints;
using InsightFace.Engine.Training;

namespace InsightFace.Engine.Distributed;

/// <summary>
/// Runs a multi-process training's launcher command (<see cref="MpiLauncher"/>) and replays what its workers report
/// (<see cref="WorkerEventReader"/>) on the calling thread, so that the launching process reports the run as if it
/// trained itself. A stop is passed on to every worker (<see cref="WorkerStopSignal"/>), which saves a resumable
/// checkpoint and ends.
/// </summary>
public static class WorkerJob
{
    /// <summary>How many of the workers' last lines of their own output a failure quotes.</summary>
    private const int QuotedLines = 20;

    /// <summary>
    /// Starts <paramref name="command"/>, replays its events on <paramref name="observer"/> until it ends, and returns
    /// the run's final checkpoint. <paramref name="stop"/> sends the workers the stop signal; a job that has not
    /// ended <paramref name="stopGrace"/> later is killed with every process it started.
    /// </summary>
    /// <exception cref="OperationCanceledException">The job was stopped (after it ended).</exception>
    /// <exception cref="WorkerFailedException">A worker failed; the error carries its id and rank.</exception>
    /// <exception cref="TrainingException">WorkerFailed: the job ended without a final checkpoint or an error of a worker's own.</exception>
    public static CheckpointInfo Run(MpiCommand command, IWorkerObserver observer, int worldSize, CancellationToken stop, TimeSpan stopGrace)
    {
        var output = new OutputTail(observer);
        var reader = new WorkerEventReader(output);
        var lines = new BlockingCollection<string>();
        using var process = Start(command);
        var pumps = new[] { Pump(process.StandardOutput, lines), Pump(process.StandardError, lines) };
        _ = Task.WhenAll(pumps).ContinueWith(_ => lines.CompleteAdding(), TaskScheduler.Default);
        long stoppedAt = 0; // Environment.TickCount64 when the stop came, set on the canceller's thread
        using var forward = stop.Register(() =>
        {
            Interlocked.Exchange(ref stoppedAt, Environment.TickCount64);
            WorkerStopSignal.Send(process.Id);
        });
        var killed = false;
        try
        {
            while (!lines.IsCompleted)
            {
                if (lines.TryTake(out var line, TimeSpan.FromMilliseconds(250))) reader.Read(line);
                var at = Interlocked.Read(ref stoppedAt);
                if (!killed && at != 0 && Environment.TickCount64 - at > stopGrace.TotalMilliseconds && !process.HasExited)
                {
                    killed = true;
                    observer.Output($"The workers did not end within {stopGrace.TotalSeconds:F0} s of the stop: they are killed.");
                    process.Kill(entireProcessTree: true);
                }
            }
            process.WaitForExit();
        }
        finally
        {
            // Whatever went wrong here, no worker is left running.
            if (!process.HasExited) process.Kill(entireProcessTree: true);
        }

        stop.ThrowIfCancellationRequested();
        if (reader.Error is { } error) throw new WorkerFailedException(error, worldSize);
        if (process.ExitCode == 0 && reader.Final is { } final) return final;
        var who = worldSize == 1 ? "The training process ended" : $"The {worldSize} worker processes ended";
        throw new TrainingException(ErrorIds.WorkerFailed,
            $"{who} ({Path.GetFileName(command.FileName)} exit code {process.ExitCode}) " +
            $"without a final checkpoint or an error of {(worldSize == 1 ? "its" : "their")} own. {Ranks(reader.Started, worldSize)} The last output:{Environment.NewLine}" +
            string.Join(Environment.NewLine, output.Last));
    }

    // Which process each rank was, so that a launcher's note on a process that died (MPICH names its PID) names its rank.
    private static string Ranks(IReadOnlyList<WorkerProcess> started, int worldSize) =>
        worldSize == 1
            ? started.FirstOrDefault() is { } only ? $"It ran as process {only.ProcessId} on {only.Host}." : "It never said it started."
            : "The ranks ran as " + string.Join(", ", Enumerable.Range(0, worldSize).Select(rank =>
                started.FirstOrDefault(p => p.Rank == rank) is { } p ? $"rank {rank}: process {p.ProcessId} on {p.Host}" : $"rank {rank}: (never started)")) + ".";

    private static Process Start(MpiCommand command)
    {
        // A session of its own: Ctrl+C in a terminal then reaches only this process, which stops the workers with the
        // stop signal; Open MPI's mpiexec would kill them on the terminal's SIGINT.
        var setsid = new[] { "/usr/bin/setsid", "/bin/setsid" }.FirstOrDefault(File.Exists);
        var start = new ProcessStartInfo(setsid ?? command.FileName)
        {
            RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false,
        };
        if (setsid is not null)
        {
            start.ArgumentList.Add("--wait");
            start.ArgumentList.Add(command.FileName);
        }
        foreach (var argument in command.Arguments) start.ArgumentList.Add(argument);
        foreach (var (name, value) in command.Environment) start.Environment[name] = value;
        var process = Process.Start(start) ?? throw new InvalidOperationException($"{command.FileName} did not start.");
        // mpiexec passes its input on to rank 0; the workers read none, and the terminal's stays with the user.
        process.StandardInput.Close();
        return process;
    }

    private static Task Pump(StreamReader from, BlockingCollection<string> to) => Task.Run(() =>
    {
        while (from.ReadLine() is { } line) to.Add(line);
    });

    // Passes every event on, and keeps the last lines of the workers' own output for an error message.
    private sealed class OutputTail(IWorkerObserver inner) : IWorkerObserver
    {
        private readonly Queue<string> _last = new();

        public IEnumerable<string> Last => _last;

        public void Output(string line)
        {
            if (_last.Count == QuotedLines) _last.Dequeue();
            _last.Enqueue(line);
            inner.Output(line);
        }

        public void Warning(string text) => inner.Warning(text);
        public void Message(string text) => inner.Message(text);
        public void Step(TrainingStep step) => inner.Step(step);
        public void Logged(TrainingMetrics metrics) => inner.Logged(metrics);
        public void Verified(long globalStep, IReadOnlyList<Evaluation.VerificationResult> results) => inner.Verified(globalStep, results);
        public void CheckpointSaved(CheckpointInfo checkpoint) => inner.CheckpointSaved(checkpoint);
    }
}

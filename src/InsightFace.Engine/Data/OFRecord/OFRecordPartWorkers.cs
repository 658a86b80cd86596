using System.Runtime.ExceptionServices;

namespace InsightFace.Engine.Data.OFRecord;

/// <summary>
/// Writes the parts of an OFRecord conversion on several threads, each thread one whole part at a time. Parts are
/// independent, so the files are byte-for-byte those one thread writes; memory stays bounded by one write chunk per
/// thread. Skips are reported on the caller's thread, in the order of the records, and progress a few times a second.
/// </summary>
internal static class OFRecordPartWorkers
{
    /// <summary>The most threads a conversion takes by default: beyond it the disk, not the processor, sets the pace.</summary>
    public const int MaxDefaultWorkers = 8;

    private static readonly TimeSpan ReportInterval = TimeSpan.FromMilliseconds(250);

    /// <summary>The threads <paramref name="requested"/> (0: one per processor, at most <see cref="MaxDefaultWorkers"/>) comes to for <paramref name="parts"/> parts.</summary>
    public static int Count(int requested, int parts) =>
        Math.Clamp(requested > 0 ? requested : Math.Min(Environment.ProcessorCount, MaxDefaultWorkers), 1, Math.Max(parts, 1));

    /// <summary>
    /// Writes the records in <paramref name="order"/> spread evenly over the parts at <paramref name="paths"/>
    /// (sizes differ by at most one), each part flushed to disk, and returns the number written to each. When a part
    /// fails or the conversion is cancelled, every thread has stopped and every flush has ended before it throws.
    /// </summary>
    public static int[] Write(int[] order, string[] paths, int workers, ConversionReader reader, CancellationToken cancellationToken)
    {
        var parts = paths.Length;
        var done = Enumerable.Range(0, parts).Select(_ => new TaskCompletionSource<Part>(TaskCreationOptions.RunContinuationsAsynchronously)).ToArray();
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var next = -1;
        void Work()
        {
            for (int p; (p = Interlocked.Increment(ref next)) < parts;)
            {
                try
                {
                    done[p].SetResult(WritePart(order, Start(p), Start(p + 1), paths[p], reader, stop.Token));
                }
                catch (Exception e)
                {
                    stop.Cancel();
                    done[p].SetException(e);
                }
            }
        }
        int Start(int part) => (int)((long)order.Length * part / parts);

        var threads = Enumerable.Range(0, workers).Select(_ => Task.Factory.StartNew(Work, TaskCreationOptions.LongRunning)).ToArray();
        var written = new int[parts];
        // Stops the other parts and waits for every thread and flush: the staged parts are removed next.
        void StopAll()
        {
            stop.Cancel();
            Task.WaitAll(threads);
            WaitForFlushes(done, rethrow: false);
        }

        Exception? failure = null;
        try
        {
            for (var p = 0; p < parts; p++)
            {
                var part = done[p].Task;
                while (Task.WaitAny([part], ReportInterval) < 0) reader.ReportWhenDue();
                if (!part.IsCompletedSuccessfully)
                {
                    failure = part.Exception!.InnerException!;
                    break;
                }
                written[p] = part.Result.Records;
                foreach (var (index, error) in part.Result.Skips) reader.Skip(index, error);
                reader.ReportWhenDue();
            }
        }
        catch
        {
            // The caller's own progress or skip handler failed: that is the story.
            StopAll();
            throw;
        }
        if (failure is not null)
        {
            StopAll();
            // The part that failed first may have been stopped by another's failure, or by the caller: name the cause.
            ExceptionDispatchInfo.Throw(FirstFailure(done)
                                        ?? (cancellationToken.IsCancellationRequested ? new OperationCanceledException(cancellationToken) : failure));
        }
        WaitForFlushes(done, rethrow: true);
        return written;
    }

    /// <summary>Writes positions <paramref name="start"/> .. <paramref name="end"/> − 1 of <paramref name="order"/> to a new part file and starts its flush.</summary>
    private static Part WritePart(int[] order, int start, int end, string path, ConversionReader reader, CancellationToken stop)
    {
        stop.ThrowIfCancellationRequested();
        var writer = new OFRecordPartWriter(path);
        try
        {
            FaceImageReader<int> append = writer.Append;
            var skips = new List<(int, DatasetException)>();
            for (var position = start; position < end; position++)
            {
                stop.ThrowIfCancellationRequested();
                if (reader.TryWrite(order[position], append) is { } error) skips.Add((order[position], error));
            }
            return new Part(end - start - skips.Count, skips, writer.CompleteAsync());
        }
        catch
        {
            writer.Dispose();
            throw;
        }
    }

    /// <summary>The first failure in part order that is not the stop the others were given; null when there is none.</summary>
    private static Exception? FirstFailure(TaskCompletionSource<Part>[] done) =>
        done.Select(d => d.Task.Exception?.InnerException).FirstOrDefault(e => e is not null and not OperationCanceledException);

    /// <summary>Waits for the flush of every part written; with <paramref name="rethrow"/>, then throws the first failure as itself.</summary>
    private static void WaitForFlushes(TaskCompletionSource<Part>[] done, bool rethrow)
    {
        try
        {
            Task.WaitAll([.. done.Where(d => d.Task.IsCompletedSuccessfully).Select(d => d.Task.Result.Flush)]);
        }
        catch (AggregateException e) when (rethrow)
        {
            ExceptionDispatchInfo.Throw(e.InnerExceptions[0]);
        }
        catch (AggregateException)
        {
        }
    }

    /// <summary>A written part: its records, the source records it skipped and why, and its flush to disk.</summary>
    private sealed record Part(int Records, List<(int Index, DatasetException Error)> Skips, Task Flush);
}

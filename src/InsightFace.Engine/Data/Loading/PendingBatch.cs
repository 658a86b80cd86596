namespace InsightFace.Engine.Data.Loading;

/// <summary>
/// A batch being decoded: its images are filled in by the workers, one job per image, and it is done when the
/// last job has finished. The first failure is kept; later jobs of a failed or abandoned batch do no work.
/// </summary>
internal sealed class PendingBatch : IDisposable
{
    private readonly ManualResetEventSlim _done = new();
    private int _remaining;
    private Exception? _error;

    public PendingBatch(TrainingBatch batch, CancellationToken abandoned)
    {
        Batch = batch;
        Abandoned = abandoned;
        _remaining = batch.Count;
    }

    public TrainingBatch Batch { get; }

    /// <summary>Cancelled when the consumer no longer wants this batch; its remaining jobs are skipped.</summary>
    public CancellationToken Abandoned { get; }

    /// <summary>The first error of any of its images, once done.</summary>
    public Exception? Error => Volatile.Read(ref _error);

    /// <summary>Whether its jobs should still decode.</summary>
    public bool Wanted => Error is null && !Abandoned.IsCancellationRequested;

    public void Fail(Exception error) => Interlocked.CompareExchange(ref _error, error, null);

    /// <summary>Marks one image as finished (decoded, failed or skipped).</summary>
    public void Finished()
    {
        if (Interlocked.Decrement(ref _remaining) == 0) _done.Set();
    }

    /// <summary>Waits until every image is finished.</summary>
    public void Wait(CancellationToken cancellationToken = default) => _done.Wait(cancellationToken);

    public void Dispose() => _done.Dispose();
}

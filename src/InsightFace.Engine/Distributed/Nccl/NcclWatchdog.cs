namespace InsightFace.Engine.Distributed.Nccl;

/// <summary>
/// Polls a communicator for asynchronous errors on a thread of its own, as PyTorch's NCCL watchdog does. When a peer
/// dies, NCCL's kernels on this GPU wait for it forever and the training thread blocks in its next synchronisation;
/// only NCCL's proxy notices, and reports it through ncclCommGetAsyncError. The watchdog then calls its handler
/// (which aborts the job) instead of letting the rank hang.
/// </summary>
internal sealed class NcclWatchdog : IDisposable
{
    private readonly Func<NcclResult> poll;
    private readonly Action<NcclResult> onError;
    private readonly TimeSpan interval;
    private readonly ManualResetEventSlim stop = new();
    private readonly Thread thread;

    /// <summary>Starts polling <paramref name="poll"/> every <paramref name="interval"/>.</summary>
    public NcclWatchdog(Func<NcclResult> poll, Action<NcclResult> onError, TimeSpan interval)
    {
        this.poll = poll;
        this.onError = onError;
        this.interval = interval;
        thread = new Thread(Watch) { IsBackground = true, Name = "NCCL watchdog" };
        thread.Start();
    }

    /// <summary>Stops polling; waits for the thread unless called from it (by the handler).</summary>
    public void Dispose()
    {
        stop.Set();
        if (Thread.CurrentThread != thread) thread.Join();
    }

    private void Watch()
    {
        while (!stop.Wait(interval))
        {
            var result = poll();
            if (result is NcclResult.Success or NcclResult.InProgress) continue;
            onError(result);
            return;
        }
    }
}

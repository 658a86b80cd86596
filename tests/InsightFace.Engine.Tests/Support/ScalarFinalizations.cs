using System.Diagnostics.Tracing;
using TorchSharp;

namespace InsightFace.Engine.Tests.Support;

/// <summary>
/// Counts the TorchSharp <see cref="Scalar"/>s that reach their finalizer while it listens, from the runtime's
/// FinalizeObject events. A disposed Scalar never does, so every one counted was left to the garbage collector, which
/// may free it on the finalizer thread while libtorch still reads it (TorchSharp passes only the native handle).
/// </summary>
public sealed class ScalarFinalizations : EventListener
{
    // OnEventSourceCreated runs inside the base constructor, before instance fields are set.
    private static readonly ulong ScalarTypeId = (ulong)typeof(Scalar).TypeHandle.Value;
    private long _count;

    /// <summary>Collects garbage, runs the pending finalizers and returns how many Scalars they finalized so far.</summary>
    public long Count()
    {
        for (var i = 0; i < 3; i++)
        {
            GC.Collect();
            GC.WaitForPendingFinalizers();
        }
        // Runtime events reach listeners on a dispatch thread, about once a second.
        Thread.Sleep(TimeSpan.FromSeconds(2));
        return Interlocked.Read(ref _count);
    }

    /// <inheritdoc />
    protected override void OnEventSourceCreated(EventSource source)
    {
        if (source.Name == "Microsoft-Windows-DotNETRuntime")
            EnableEvents(source, EventLevel.Verbose, (EventKeywords)0x1); // GC
    }

    /// <inheritdoc />
    protected override void OnEventWritten(EventWrittenEventArgs e)
    {
        if (e.EventName != "FinalizeObject" || e.Payload is not { Count: > 0 } payload) return;
        var typeId = payload[0] switch { ulong u => u, IntPtr p => (ulong)p, long l => (ulong)l, _ => 0UL };
        if (typeId == ScalarTypeId) Interlocked.Increment(ref _count);
    }
}

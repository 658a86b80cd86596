using InsightFace.Engine.Distributed;

namespace InsightFace.Engine.Tests.Distributed;

public class WorkerStopSignalTests
{
    [Fact]
    public void A_registered_process_is_stopped_by_the_signal_instead_of_ended()
    {
        using var stopped = new ManualResetEventSlim();
        using (WorkerStopSignal.Register(stopped.Set))
        {
            Assert.True(WorkerStopSignal.Send(Environment.ProcessId));
            Assert.True(stopped.Wait(TimeSpan.FromSeconds(10)), "the stop was not called");
        }
    }

    [Fact]
    public void Sending_to_a_process_that_has_ended_says_so()
    {
        using var process = System.Diagnostics.Process.Start("true")!;
        process.WaitForExit();
        var pid = process.Id;
        process.Dispose();
        Assert.False(WorkerStopSignal.Send(pid));
    }
}

using System.Runtime.InteropServices;

namespace InsightFace.Engine.Distributed;

/// <summary>
/// The signal that stops a multi-process training so that it can be resumed: SIGUSR1. The launcher sends it to
/// mpiexec, and both MPICH's and Open MPI's mpiexec pass it on to every rank at once and wait for them to end. SIGINT
/// and SIGTERM will not do: Open MPI's mpiexec answers them by killing the ranks a second later, before they can
/// save a checkpoint.
/// </summary>
public static partial class WorkerStopSignal
{
    /// <summary>SIGUSR1's number on this system.</summary>
    public static int Number { get; } = OperatingSystem.IsMacOS() || OperatingSystem.IsFreeBSD() ? 30 : 10;

    /// <summary>Calls <paramref name="stop"/> when this process receives the signal, instead of ending it; dispose to stop listening.</summary>
    public static IDisposable Register(Action stop) =>
        PosixSignalRegistration.Create((PosixSignal)Number, context =>
        {
            context.Cancel = true;
            stop();
        });

    /// <summary>Sends the signal to process <paramref name="processId"/>; false when it has already ended.</summary>
    public static bool Send(int processId) => kill(processId, Number) == 0;

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int kill(int pid, int signal);
}

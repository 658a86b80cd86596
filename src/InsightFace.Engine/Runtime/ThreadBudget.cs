namespace InsightFace.Engine.Runtime;

/// <summary>
/// Chooses libtorch's threads from the cores other processes leave free, again every <see cref="Interval"/>. With more
/// busy threads than cores, every parallel operation waits at its barrier for a thread the scheduler has put aside:
/// two trainings with two threads each on two cores each ran at 0.18× their speed alone, and at 0.55× with one
/// thread each (bench/SharedCpuBench; docs/usage/training.md, "A shared machine"). Alone, a training keeps all its threads.
/// </summary>
public sealed class ThreadBudget
{
    /// <summary>How often the free cores are measured again.</summary>
    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(10);

    /// <summary>The first measurement's span: soon after the start, so that a second training adapts quickly.</summary>
    public static readonly TimeSpan FirstInterval = TimeSpan.FromSeconds(2);

    private readonly int _cores;
    private readonly int _most;
    private readonly Func<CpuSample?> _sample;
    private readonly Action<int> _setThreads;
    private CpuSample? _last;
    private DateTime _lastAt;

    /// <summary>
    /// A budget of at most <paramref name="most"/> threads on a machine of <paramref name="cores"/> cores, reading
    /// samples from <paramref name="sample"/> and applying a choice with <paramref name="setThreads"/>.
    /// </summary>
    public ThreadBudget(int cores, int most, Func<CpuSample?> sample, Action<int> setThreads)
    {
        _cores = cores;
        _most = most;
        _sample = sample;
        _setThreads = setThreads;
    }

    /// <summary>The budget for this process's libtorch threads, as many as libtorch uses now.</summary>
    public static ThreadBudget ForThisProcess() =>
        new(Environment.ProcessorCount, TorchThreads.Count, CpuSample.Read, TorchThreads.Set);

    /// <summary>
    /// True when the user chose the threads (OMP_NUM_THREADS), which then stay as they are.
    /// </summary>
    public static bool UserChoseThreads => Environment.GetEnvironmentVariable("OMP_NUM_THREADS") is { Length: > 0 };

    /// <summary>The threads chosen last; 0 before the first measurement.</summary>
    public int Threads { get; private set; }

    /// <summary>Measures again when <see cref="Interval"/> has passed since the last time, and sets the threads.</summary>
    public void Update(DateTime now)
    {
        if (_last is not null && now - _lastAt < (Threads == 0 ? FirstInterval : Interval)) return;
        var sample = _sample();
        if (sample is not { } current) return;
        if (_last is { } earlier)
        {
            var free = _cores - (int)Math.Round(current.CoresBusyElsewhereSince(earlier, _cores));
            var threads = Math.Clamp(free, 1, _most);
            if (threads != Threads) _setThreads(threads);
            Threads = threads;
        }
        (_last, _lastAt) = (current, now);
    }
}

using InsightFace.Engine.Runtime;

namespace InsightFace.Engine.Tests.Runtime;

public class ThreadBudgetTests
{
    [Fact]
    public void A_sample_reads_proc_stat_and_the_processs_user_and_system_time_after_a_command_name_with_spaces()
    {
        var sample = CpuSample.Parse(
            "cpu  100 5 50 800 20 3 2 10 0 0",
            "4242 (dotnet host) S 1 4242 4242 0 -1 4194304 500 0 0 0 70 30 0 0 20 0 9 0 1234 0 0");
        // total: user+nice+system+idle+iowait+irq+softirq+steal; idle: idle+iowait; process: utime+stime.
        Assert.Equal(new CpuSample(990, 820, 100), sample);
    }

    [Fact]
    public void This_machines_proc_gives_samples_that_only_grow()
    {
        var first = CpuSample.Read();
        Assert.NotNull(first);
        var spin = DateTime.UtcNow.AddMilliseconds(300);
        while (DateTime.UtcNow < spin) { }
        var second = CpuSample.Read()!.Value;
        Assert.True(second.MachineTotal > first.Value.MachineTotal);
        Assert.True(second.Process > first.Value.Process);
    }

    [Fact]
    public void The_cores_busy_elsewhere_are_the_machines_busy_time_less_this_processs_over_the_time_of_one_core()
    {
        // Two cores for 100 ticks: 200 ticks in all, 20 idle, 80 this process's: 100 ticks, one core, elsewhere.
        var before = new CpuSample(1000, 500, 300);
        var after = new CpuSample(1200, 520, 380);
        Assert.Equal(1.0, after.CoresBusyElsewhereSince(before, cores: 2), 12);
        Assert.Equal(0.0, new CpuSample(1200, 700, 300).CoresBusyElsewhereSince(before, cores: 2));
    }

    [Fact]
    public void Threads_follow_the_free_cores_every_interval_never_below_one_nor_above_the_most()
    {
        var samples = new Queue<CpuSample>();
        var applied = new List<int>();
        var budget = new ThreadBudget(cores: 4, most: 4, () => samples.Dequeue(), applied.Add);
        var start = new DateTime(2026, 12, 6, 12, 0, 0, DateTimeKind.Utc);
        // Each interval is 100 ticks of 4 cores (400 ticks); this process uses 150 of them.
        long elsewhere = 0;
        CpuSample Next(int interval, int busyTicksElsewhere)
        {
            elsewhere += busyTicksElsewhere;
            return new CpuSample(400L * interval, 400L * interval - 150L * interval - elsewhere, 150L * interval);
        }

        samples.Enqueue(Next(0, 0));
        budget.Update(start);                                   // the first sample: nothing to compare yet
        Assert.Equal(0, budget.Threads);
        samples.Enqueue(Next(1, 0));
        budget.Update(start + ThreadBudget.FirstInterval);      // alone: every core
        Assert.Equal(4, budget.Threads);
        budget.Update(start + ThreadBudget.FirstInterval + TimeSpan.FromSeconds(1)); // too soon: not measured
        samples.Enqueue(Next(2, 180));                          // 1.8 cores busy elsewhere: 2 left
        budget.Update(start + ThreadBudget.FirstInterval + ThreadBudget.Interval);
        Assert.Equal(2, budget.Threads);
        samples.Enqueue(Next(3, 250));                          // 2.5 cores elsewhere (rounded to 2, even): 2 left
        budget.Update(start + ThreadBudget.FirstInterval + 2 * ThreadBudget.Interval);
        Assert.Equal(2, budget.Threads);
        samples.Enqueue(Next(4, 390));                          // all but this process's share: still one thread
        budget.Update(start + ThreadBudget.FirstInterval + 3 * ThreadBudget.Interval);
        Assert.Equal(1, budget.Threads);

        Assert.Equal([4, 2, 1], applied);                       // set only when the choice changes
        Assert.Empty(samples);
    }

    [Fact]
    public void The_most_caps_the_threads_on_an_idle_machine()
    {
        var samples = new Queue<CpuSample>([new(0, 0, 0), new(800, 800, 0)]);
        var budget = new ThreadBudget(cores: 8, most: 3, () => samples.Dequeue(), _ => { });
        var start = DateTime.UtcNow;
        budget.Update(start);
        budget.Update(start + ThreadBudget.FirstInterval);
        Assert.Equal(3, budget.Threads);
    }
}

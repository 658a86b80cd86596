using System.Globalization;

namespace InsightFace.Engine.Runtime;

/// <summary>
/// The machine's and this process's CPU time at one moment, in clock ticks, from /proc/stat and /proc/self/stat:
/// two samples say how many cores other processes kept busy in between.
/// </summary>
/// <param name="MachineTotal">All CPUs' time, busy and idle.</param>
/// <param name="MachineIdle">All CPUs' idle and I/O-wait time.</param>
/// <param name="Process">This process's user and system time.</param>
public readonly record struct CpuSample(long MachineTotal, long MachineIdle, long Process)
{
    /// <summary>Now; null where /proc cannot be read (not Linux).</summary>
    public static CpuSample? Read()
    {
        try
        {
            return Parse(File.ReadLines("/proc/stat").First(), File.ReadAllText("/proc/self/stat"));
        }
        catch (IOException)
        {
            return null;
        }
        catch (UnauthorizedAccessException)
        {
            return null;
        }
    }

    /// <summary>
    /// Reads the "cpu" line of /proc/stat (user nice system idle iowait irq softirq steal …) and a /proc/[pid]/stat line
    /// (utime and stime are fields 14 and 15, counted after the parenthesised command name, which may hold spaces).
    /// </summary>
    public static CpuSample Parse(string procStatCpuLine, string procSelfStat)
    {
        var machine = procStatCpuLine.Split(' ', StringSplitOptions.RemoveEmptyEntries).Skip(1).Take(8)
            .Select(v => long.Parse(v, CultureInfo.InvariantCulture)).ToArray();
        var afterName = procSelfStat[(procSelfStat.LastIndexOf(')') + 2)..].Split(' ');
        // afterName[0] is field 3 (state), so fields 14 and 15 are at 11 and 12.
        var process = long.Parse(afterName[11], CultureInfo.InvariantCulture) + long.Parse(afterName[12], CultureInfo.InvariantCulture);
        return new CpuSample(machine.Sum(), machine[3] + machine[4], process);
    }

    /// <summary>The cores that processes other than this one kept busy on average since <paramref name="earlier"/>.</summary>
    public double CoresBusyElsewhereSince(CpuSample earlier, int cores)
    {
        var total = MachineTotal - earlier.MachineTotal;
        if (total <= 0) return 0;
        var busyElsewhere = total - (MachineIdle - earlier.MachineIdle) - (Process - earlier.Process);
        return Math.Max(0, busyElsewhere) * cores / (double)total;
    }
}

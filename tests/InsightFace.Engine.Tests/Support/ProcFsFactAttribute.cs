namespace InsightFace.Engine.Tests.Support;

/// <summary>A fact that inspects the process through Linux's /proc (thread names, for example); skipped elsewhere.</summary>
public sealed class ProcFsFactAttribute : FactAttribute
{
    /// <summary>Skips the test where /proc/self/task does not exist.</summary>
    public ProcFsFactAttribute()
    {
        if (!Directory.Exists("/proc/self/task")) Skip = "needs Linux's /proc/self/task to see the process's threads";
    }
}

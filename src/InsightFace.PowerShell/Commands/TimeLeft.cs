namespace InsightFace.PowerShell.Commands;

/// <summary>
/// The time left, as progress status text in h:mm:ss. The cmdlets leave ProgressRecord.SecondsRemaining unset because
/// PowerShell's default (minimal) progress view prints it as raw seconds, "2072s".
/// </summary>
internal static class TimeLeft
{
    /// <summary>"0:34:32 left": hours (as many as there are), minutes and seconds, rounded up to a whole second.</summary>
    public static string Format(TimeSpan remaining)
    {
        var seconds = (long)Math.Ceiling(Math.Max(remaining.TotalSeconds, 0));
        return $"{seconds / 3600}:{seconds / 60 % 60:00}:{seconds % 60:00} left";
    }
}

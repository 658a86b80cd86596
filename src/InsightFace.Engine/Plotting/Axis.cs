namespace InsightFace.Engine.Plotting;

/// <summary>One axis of a plot: its range, whether it is logarithmic, its ticks with their labels, and its title.</summary>
internal sealed record Axis(double Low, double High, bool Log, IReadOnlyList<(double Value, string Label)> Ticks, string Title)
{
    /// <summary>A linear axis from the nice tick at or below <paramref name="low"/> to the one at or above <paramref name="high"/>.</summary>
    public static Axis Linear(double low, double high, string title, int intervals = 5)
    {
        var ticks = NiceTicks.Linear(low, high, intervals);
        var step = ticks[1] - ticks[0];
        return new Axis(ticks[0], ticks[^1], Log: false, ticks.Select(t => (t, NiceTicks.Label(t, step))).ToArray(), title);
    }

    /// <summary>A log axis over the decades from 10^<paramref name="lowest"/> to 1, a tick at each.</summary>
    public static Axis LogDecades(int lowest, string title) =>
        new(Math.Pow(10, lowest), 1, Log: true, NiceTicks.Decades(lowest).Select(e => (Math.Pow(10, e), NiceTicks.Power(e))).ToArray(), title);

    /// <summary>Where <paramref name="value"/> lies on the axis: 0 at <see cref="Low"/>, 1 at <see cref="High"/>.</summary>
    public double Fraction(double value) => Log
        ? (Math.Log10(value) - Math.Log10(Low)) / (Math.Log10(High) - Math.Log10(Low))
        : (value - Low) / (High - Low);
}

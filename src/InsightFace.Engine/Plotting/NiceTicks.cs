using System.Globalization;

namespace InsightFace.Engine.Plotting;

/// <summary>
/// Tick values a reader can take in at a glance: multiples of 1, 2 or 5 times a power of ten (Heckbert's "nice
/// numbers", as plotting libraries choose them), and decades for a log axis.
/// </summary>
internal static class NiceTicks
{
    /// <summary>
    /// Ticks at a nice step from at or below <paramref name="low"/> to at or above <paramref name="high"/>, about
    /// <paramref name="intervals"/> intervals apart; the axis runs from the first tick to the last.
    /// </summary>
    public static double[] Linear(double low, double high, int intervals = 5)
    {
        if (!double.IsFinite(low) || !double.IsFinite(high) || high < low)
            throw new ArgumentException($"No ticks for the range [{low}, {high}].");
        if (high - low <= 1e-12 * Math.Max(1, Math.Abs(high)))
        {
            // One value: a range around it, so that the line sits inside the frame.
            var pad = low == 0 ? 1 : Math.Abs(low) * 0.1;
            (low, high) = (low - pad, high + pad);
        }
        var step = Step((high - low) / intervals);
        var first = Math.Floor(low / step + 1e-9);
        var last = Math.Ceiling(high / step - 1e-9);
        var decimals = Math.Clamp(1 - (int)Math.Floor(Math.Log10(step)), 0, 15);
        return Enumerable.Range(0, (int)(last - first) + 1).Select(i => Math.Round((first + i) * step, decimals)).ToArray();
    }

    /// <summary>The nice number nearest to <paramref name="raw"/>: 1, 2, 5 or 10 times a power of ten.</summary>
    public static double Step(double raw)
    {
        if (!(raw > 0) || !double.IsFinite(raw)) throw new ArgumentOutOfRangeException(nameof(raw), raw, "A tick step is positive.");
        var magnitude = Math.Pow(10, Math.Floor(Math.Log10(raw)));
        var fraction = raw / magnitude;
        var nice = fraction < 1.5 ? 1 : fraction < 3 ? 2 : fraction < 7 ? 5 : 10;
        return nice * magnitude;
    }

    /// <summary>
    /// A tick's label with the decimals its step needs (step 0.05: "0.05", "0.10"; step 5000: "5000"), written as
    /// 5e-5 below a step of 1e-4, where decimals would run long.
    /// </summary>
    public static string Label(double value, double step)
    {
        if (value == 0) return "0";
        if (step < 1e-4) return value.ToString("0.##e0", CultureInfo.InvariantCulture);
        var decimals = Math.Max(0, -(int)Math.Floor(Math.Log10(step) + 1e-9));
        return value.ToString("F" + decimals.ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture);
    }

    /// <summary>The exponents of the decades from 10^<paramref name="lowest"/> to 10^0 = 1.</summary>
    public static int[] Decades(int lowest) => Enumerable.Range(lowest, 1 - lowest).ToArray();

    /// <summary>10 to the power <paramref name="exponent"/> as printed: 10⁻³, 10⁰.</summary>
    public static string Power(int exponent) =>
        "10" + string.Concat(exponent.ToString(CultureInfo.InvariantCulture).Select(c => c == '-' ? '⁻' : "⁰¹²³⁴⁵⁶⁷⁸⁹"[c - '0']));
}

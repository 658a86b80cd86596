using InsightFace.Engine.Plotting;

namespace InsightFace.Engine.Tests.Plotting;

public class NiceTicksTests
{
    [Theory]
    [InlineData(0.13, 0.1)]
    [InlineData(0.2, 0.2)]
    [InlineData(0.29, 0.2)]
    [InlineData(0.31, 0.5)]
    [InlineData(0.69, 0.5)]
    [InlineData(0.71, 1)]
    [InlineData(2149, 2000)]
    [InlineData(1.3e-4, 1e-4)]
    [InlineData(25, 20)]
    public void The_step_is_the_nearest_of_1_2_5_times_a_power_of_ten(double raw, double step) =>
        Assert.Equal(step, NiceTicks.Step(raw), 12);

    // The ranges of the issue's report: ticks at 0.155 and 10.9, and an lr axis labelled 0.000667.
    [Theory]
    [InlineData(0.155, 10.9, new[] { 0.0, 2, 4, 6, 8, 10, 12 })]
    [InlineData(0.000667, 0.1, new[] { 0.0, 0.02, 0.04, 0.06, 0.08, 0.1 })]
    [InlineData(0, 1, new[] { 0.0, 0.2, 0.4, 0.6, 0.8, 1 })]
    [InlineData(0.51, 0.93, new[] { 0.5, 0.6, 0.7, 0.8, 0.9, 1 })]
    public void Linear_ticks_are_round_and_cover_the_range(double low, double high, double[] expected) =>
        Assert.Equal(expected, NiceTicks.Linear(low, high));

    [Fact]
    public void Every_range_gets_a_few_round_ticks_around_it()
    {
        var random = new Random(5);
        for (var i = 0; i < 2000; i++)
        {
            var scale = Math.Pow(10, random.Next(-6, 6));
            var low = (random.NextDouble() - 0.3) * scale * Math.Pow(10, random.Next(0, 3));
            var high = low + (0.01 + random.NextDouble()) * scale;
            var ticks = NiceTicks.Linear(low, high);

            var step = ticks[1] - ticks[0];
            Assert.InRange(ticks.Length, 3, 12);
            Assert.True(ticks[0] <= low + 1e-9 * step && ticks[^1] >= high - 1e-9 * step, $"[{low}, {high}] -> {string.Join(", ", ticks)}");
            var mantissa = step / Math.Pow(10, Math.Floor(Math.Log10(step) + 1e-9));
            Assert.Contains(Math.Round(mantissa, 6), new[] { 1.0, 2, 5 });
            Assert.All(ticks, t => Assert.Equal(0, Math.Abs(t / step - Math.Round(t / step)), 6));
        }
    }

    [Fact]
    public void A_single_value_gets_a_range_around_it()
    {
        Assert.Equal(new[] { 0.7, 0.75, 0.8, 0.85, 0.9 }, NiceTicks.Linear(0.8, 0.8));
        Assert.Equal(new[] { -1.0, -0.5, 0, 0.5, 1 }, NiceTicks.Linear(0, 0));
    }

    [Theory]
    [InlineData(0, 0.2, "0")]
    [InlineData(0.4, 0.2, "0.4")]
    [InlineData(0.1, 0.05, "0.10")]
    [InlineData(12, 2, "12")]
    [InlineData(5000, 1000, "5000")]
    [InlineData(0.0006, 2e-4, "0.0006")]
    [InlineData(2e-5, 1e-5, "2e-5")]
    [InlineData(1.5e-5, 5e-6, "1.5e-5")]
    public void Labels_carry_the_decimals_of_the_step(double value, double step, string label) =>
        Assert.Equal(label, NiceTicks.Label(value, step));

    [Fact]
    public void Log_axes_tick_every_decade_as_a_power_of_ten()
    {
        Assert.Equal(new[] { -3, -2, -1, 0 }, NiceTicks.Decades(-3));
        Assert.Equal("10⁻⁶", NiceTicks.Power(-6));
        Assert.Equal("10⁰", NiceTicks.Power(0));
        Assert.Equal("10¹²", NiceTicks.Power(12));
    }
}

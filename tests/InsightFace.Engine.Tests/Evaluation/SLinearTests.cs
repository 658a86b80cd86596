using InsightFace.Engine.Evaluation;

namespace InsightFace.Engine.Tests.Evaluation;

/// <summary>scipy 1.8's interp1d(kind='slinear'), worked by hand from its knots [x0, x0, x1 … xn-1, xn-1].</summary>
public class SLinearTests
{
    private static readonly double[] Y = [10, 20, 30, 40, 50, 60];

    [Fact]
    public void Interpolates_between_the_last_x_at_or_below_and_the_next_larger()
    {
        double[] x = [0, 0, 0.0005, 0.002, 0.002, 1];
        // Between (0.0005, 30) and (0.002, 40): 30 + 10·(0.0005 / 0.0015).
        Assert.Equal(30 + 10.0 / 3, ValEvaluation.SLinear(x, Y, 0.001), 12);
    }

    [Fact]
    public void A_repeated_exact_hit_takes_the_last_repeat()
    {
        double[] x = [0, 0.001, 0.001, 0.001, 0.5, 1];
        Assert.Equal(40, ValEvaluation.SLinear(x, Y, 0.001), 12);
    }

    [Fact]
    public void The_largest_x_repeated_at_the_end_gives_zero_as_scipy_does()
    {
        // The interval is capped at the last knot pair, which is [x4, x5] = [0.001, 0.001]: zero weights.
        double[] x = [0, 0, 0.0002, 0.0005, 0.001, 0.001];
        Assert.Equal(0, ValEvaluation.SLinear(x, Y, 0.001));
    }

    [Fact]
    public void The_largest_x_once_gives_its_y()
    {
        double[] x = [0, 0, 0.0002, 0.0005, 0.0008, 0.001];
        Assert.Equal(60, ValEvaluation.SLinear(x, Y, 0.001), 12);
    }

    [Fact]
    public void The_smallest_x_gives_the_last_y_of_its_run()
    {
        double[] x = [0, 0, 0, 0.5, 0.7, 1];
        // value 0: the last knot <= 0 is x2, the next is x3 = 0.5, weight 0 on it.
        Assert.Equal(30, ValEvaluation.SLinear(x, Y, 0), 12);
    }
}

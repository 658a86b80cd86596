using InsightFace.Engine.Data;

namespace InsightFace.Engine.Tests.Data;

public class ConversionProgressTests
{
    [Fact]
    public void Rate_and_time_left_follow_from_the_counts()
    {
        var progress = new ConversionProgress(Processed: 250, Total: 1000, Skipped: 3, BytesWritten: 1 << 20, Elapsed: TimeSpan.FromSeconds(5));

        Assert.Equal(50, progress.RecordsPerSecond, 12);
        Assert.Equal(TimeSpan.FromSeconds(15), progress.Remaining);
        Assert.Equal(0.25, progress.Fraction, 12);
    }

    [Fact]
    public void Before_any_record_the_time_left_is_unknown()
    {
        var progress = new ConversionProgress(0, 1000, 0, 0, TimeSpan.Zero);

        Assert.Equal(0, progress.RecordsPerSecond);
        Assert.Null(progress.Remaining);
        Assert.Equal(0, progress.Fraction);
    }
}

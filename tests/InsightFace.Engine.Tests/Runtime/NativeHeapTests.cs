using InsightFace.Engine.Runtime;

namespace InsightFace.Engine.Tests.Runtime;

public class NativeHeapTests
{
    [Fact]
    public void Training_settings_apply_on_glibc_and_the_heap_can_be_released()
    {
        // Debian's glibc accepts both settings; mallopt returns 0 for one it refuses.
        Assert.True(NativeHeap.TuneForTraining());
        NativeHeap.Release();
    }

    [Theory]
    [InlineData("MALLOC_TRIM_THRESHOLD_")]
    [InlineData("MALLOC_MMAP_THRESHOLD_")]
    public void A_users_own_glibc_setting_wins(string variable)
    {
        Environment.SetEnvironmentVariable(variable, "131072");
        try
        {
            Assert.False(NativeHeap.TuneForTraining());
        }
        finally
        {
            Environment.SetEnvironmentVariable(variable, null);
        }
    }
}

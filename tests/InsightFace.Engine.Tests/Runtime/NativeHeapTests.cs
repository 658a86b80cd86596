using System.Runtime.InteropServices;
using InsightFace.Engine.Runtime;
using TorchSharp;
using static TorchSharp.torch;

namespace InsightFace.Engine.Tests.Runtime;

public class NativeHeapTests
{
    [Fact]
    public void Training_settings_apply_on_glibc_and_the_heap_can_be_released()
    {
        // Debian's glibc accepts every setting; mallopt returns 0 for one it refuses.
        Assert.True(NativeHeap.TuneForTraining());
        NativeHeap.Release();
    }

    // glibc maps any block above its mmap threshold, which it caps at 32 MB, afresh at every allocation. A batch-64
    // MobileFaceNet activation is 51 MB: after tuning it must come from the heap, so no mapped block is added. The test
    // thread is not the main thread, so its heap is one of glibc's 64 MB arena heaps, as a pwsh pipeline thread's is.
    [Fact]
    public void After_tuning_a_48_MB_tensor_comes_from_the_heap_on_any_thread()
    {
        Assert.True(NativeHeap.TuneForTraining());
        var mappedBefore = mallinfo2().hblks;
        using (var activation = empty(48L << 20, ScalarType.Byte))
        {
            activation.fill_(1.ToScalar());
            Assert.Equal(mappedBefore, mallinfo2().hblks);
        }
        NativeHeap.Release();
    }

    [Theory]
    [InlineData("MALLOC_TRIM_THRESHOLD_")]
    [InlineData("MALLOC_MMAP_THRESHOLD_")]
    [InlineData("MALLOC_MMAP_MAX_")]
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

    // glibc's struct mallinfo2 (2.33 and later): every field a size_t; hblks counts the blocks mapped with mmap.
    [StructLayout(LayoutKind.Sequential)]
    private struct MallInfo2
    {
        public nuint arena, ordblks, smblks, hblks, hblkhd, usmblks, fsmblks, uordblks, fordblks, keepcost;
    }

    [DllImport("libc")]
    private static extern MallInfo2 mallinfo2();
}

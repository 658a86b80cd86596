using TorchSharp;

namespace InsightFace.Engine.Runtime;

/// <summary>libtorch's intra-op threads, which are process-wide: one training process of several gets its share of the cores.</summary>
public static class TorchThreads
{
    /// <summary>The threads libtorch computes with in this process.</summary>
    public static int Count => torch.get_num_threads();

    /// <summary>Sets the threads libtorch computes with in this process, from now on.</summary>
    public static void Set(int threads)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(threads, 1);
        if (torch.get_num_threads() != threads) torch.set_num_threads(threads);
    }
}

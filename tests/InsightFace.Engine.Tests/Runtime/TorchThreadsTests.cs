using InsightFace.Engine.Runtime;

namespace InsightFace.Engine.Tests.Runtime;

public class TorchThreadsTests
{
    [Fact]
    public void Sets_libtorch_threads_and_refuses_fewer_than_one()
    {
        var before = TorchThreads.Count;
        try
        {
            TorchThreads.Set(1);
            Assert.Equal(1, TorchThreads.Count);
            TorchThreads.Set(3);
            Assert.Equal(3, TorchThreads.Count);
            Assert.Throws<ArgumentOutOfRangeException>(() => TorchThreads.Set(0));
            Assert.Equal(3, TorchThreads.Count);
        }
        finally
        {
            TorchThreads.Set(before);
        }
    }
}

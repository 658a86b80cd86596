namespace InsightFace.Engine.Tests.Support;

/// <summary>
/// A fact about machines without CUDA (asking for it must fail, never fall back to the CPU): skipped, saying why,
/// where libtorch sees a CUDA device, instead of passing without checking anything.
/// </summary>
public sealed class WithoutCudaFactAttribute : FactAttribute
{
    /// <summary>Skips the test where <c>torch.cuda.is_available()</c>.</summary>
    public WithoutCudaFactAttribute()
    {
        if (TorchSharp.torch.cuda.is_available())
            Skip = "this machine has a CUDA device, and the test is about machines without one";
    }
}

using static TorchSharp.torch;

namespace InsightFace.Engine.Optim;

/// <summary>Gradients made before training instead of by its first backward pass.</summary>
public static class Gradients
{
    /// <summary>
    /// Gives every parameter in <paramref name="parameters"/> that requires a gradient and has none a zero gradient,
    /// in its layout. Backward passes add to it, so the numbers are those of a gradient made by the first backward pass.
    /// </summary>
    /// <remarks>
    /// On the CPU libtorch allocates from glibc's heap, which the training settings keep (<see cref="Runtime.NativeHeap"/>).
    /// Gradients and momentum buffers made during the first iteration land in the holes between its activations and
    /// split the free space every later forward pass reuses: r50 at batch 16 peaked at 2.5–2.8 GB instead of 2.2 GB
    /// (bench/BackboneBench/RESULTS.md).
    /// </remarks>
    public static void Reserve(IEnumerable<Tensor> parameters)
    {
        foreach (var parameter in parameters)
        {
            if (!parameter.requires_grad || parameter.grad is not null) continue;
            using var gradient = zeros_like(parameter);
            parameter.grad = gradient;
        }
    }
}

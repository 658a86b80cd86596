using static TorchSharp.torch;

namespace InsightFace.Engine.Distributed;

/// <summary>
/// Collectives over GPU memory (NCCL) that also take CPU tensors, by copying them to the GPU and back. The training
/// loop's control messages are small CPU tensors (the stop flag, the checkpoint folder's name, the ranks'
/// fingerprints); everything large (embeddings, logits, gradients) is already on the GPU and goes straight through.
/// </summary>
public sealed class HostStagingCollectives(ICollectives gpu, Device device) : ICollectives, IDisposable
{
    /// <inheritdoc/>
    public int Rank => gpu.Rank;

    /// <inheritdoc/>
    public int WorldSize => gpu.WorldSize;

    /// <inheritdoc/>
    public int LocalRank => gpu.LocalRank;

    /// <inheritdoc/>
    public Tensor AllGather(Tensor local)
    {
        if (!OnHost(local)) return gpu.AllGather(local);
        using var staged = local.to(device);
        using var gathered = gpu.AllGather(staged);
        return gathered.cpu();
    }

    /// <inheritdoc/>
    public void AllReduce(Tensor tensor, ReduceOp op)
    {
        if (!OnHost(tensor))
        {
            gpu.AllReduce(tensor, op);
            return;
        }
        using var staged = tensor.to(device);
        gpu.AllReduce(staged, op);
        tensor.copy_(staged);
    }

    /// <inheritdoc/>
    public Tensor ReduceScatter(Tensor input)
    {
        if (!OnHost(input)) return gpu.ReduceScatter(input);
        using var staged = input.to(device);
        using var block = gpu.ReduceScatter(staged);
        return block.cpu();
    }

    /// <inheritdoc/>
    public void Broadcast(Tensor tensor, int root)
    {
        if (!OnHost(tensor))
        {
            gpu.Broadcast(tensor, root);
            return;
        }
        using var staged = tensor.to(device);
        gpu.Broadcast(staged, root);
        tensor.copy_(staged);
    }

    /// <inheritdoc/>
    public void Barrier() => gpu.Barrier();

    /// <inheritdoc/>
    public void Abort(int exitCode) => gpu.Abort(exitCode);

    /// <summary>Disposes the GPU collectives.</summary>
    public void Dispose() => (gpu as IDisposable)?.Dispose();

    private static bool OnHost(Tensor tensor) => tensor.device_type == TorchSharp.DeviceType.CPU;
}

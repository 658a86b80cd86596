using static TorchSharp.torch;

namespace InsightFace.Engine.Distributed;

/// <summary>
/// The collective operations between the processes (ranks) of one training job. Every rank must call the same
/// operations in the same order with tensors of the same shape, type and device; none of them records autograd.
/// Tensors must be contiguous; the element types are float32, float64, float16, int32, int64 and uint8.
/// </summary>
/// <remarks>
/// A rank that fails between two collectives leaves the others waiting in the next one, so the job must call
/// <see cref="Abort"/> when any rank throws (MPI_Abort, ncclCommAbort): it ends every rank instead of hanging.
/// </remarks>
public interface ICollectives
{
    /// <summary>This process's index, 0 … <see cref="WorldSize"/> − 1.</summary>
    int Rank { get; }

    /// <summary>The number of processes in the job.</summary>
    int WorldSize { get; }

    /// <summary>This process's index among the job's processes on the same machine: it chooses the GPU (cuda:LocalRank).</summary>
    int LocalRank { get; }

    /// <summary>Concatenates every rank's <paramref name="local"/> along dimension 0, in rank order, into a new tensor.</summary>
    Tensor AllGather(Tensor local);

    /// <summary>Replaces <paramref name="tensor"/>, in place, with its element-wise reduction over all ranks.</summary>
    void AllReduce(Tensor tensor, ReduceOp op);

    /// <summary>
    /// Sums <paramref name="input"/> over the ranks and returns this rank's block of the sum: the rows
    /// [Rank·n/W, (Rank+1)·n/W) of dimension 0 (n rows; n must divide by <see cref="WorldSize"/>), as a new tensor.
    /// It sends 1/W of the bytes an all-reduce of the whole tensor would.
    /// </summary>
    Tensor ReduceScatter(Tensor input);

    /// <summary>Overwrites <paramref name="tensor"/>, in place, with rank <paramref name="root"/>'s values.</summary>
    void Broadcast(Tensor tensor, int root);

    /// <summary>Returns once every rank has called it.</summary>
    void Barrier();

    /// <summary>
    /// Ends every process of the job with <paramref name="exitCode"/>, so that no rank waits forever for one that
    /// failed. Write the reason to stderr first: this does not return on a real multi-process job.
    /// </summary>
    void Abort(int exitCode);
}

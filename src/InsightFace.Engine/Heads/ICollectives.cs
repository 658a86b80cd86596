using static TorchSharp.torch;

namespace InsightFace.Engine.Heads;

/// <summary>
/// The collective operations Partial FC needs between the processes of one training job. Every rank must call
/// the same operations in the same order with tensors of the same shape and type; none of them records autograd.
/// </summary>
/// <remarks>
/// A rank that fails between two collectives leaves the others waiting in the next one, so an implementation
/// for real processes must abort the whole job when any rank throws (MPI_Abort, ncclCommAbort).
/// </remarks>
public interface ICollectives
{
    /// <summary>This process's index, 0 … <see cref="WorldSize"/> − 1.</summary>
    int Rank { get; }

    /// <summary>The number of processes in the job.</summary>
    int WorldSize { get; }

    /// <summary>Concatenates every rank's <paramref name="local"/> along dimension 0, in rank order, into a new tensor.</summary>
    Tensor AllGather(Tensor local);

    /// <summary>Replaces <paramref name="tensor"/>, in place, with its element-wise reduction over all ranks.</summary>
    void AllReduce(Tensor tensor, ReduceOp op);

    /// <summary>Overwrites <paramref name="tensor"/>, in place, with rank <paramref name="root"/>'s values.</summary>
    void Broadcast(Tensor tensor, int root);
}

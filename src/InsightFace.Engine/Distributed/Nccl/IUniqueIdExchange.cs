namespace InsightFace.Engine.Distributed.Nccl;

/// <summary>
/// How rank 0's NCCL unique id (128 bytes from ncclGetUniqueId) reaches every rank before they create the
/// communicator together. It is the job's bootstrap only: no tensor data goes through it.
/// </summary>
public interface IUniqueIdExchange
{
    /// <summary>
    /// Returns rank 0's id on every rank. Rank 0 calls <paramref name="create"/> and hands its bytes to the others;
    /// the other ranks never call it. Every rank of the job must call this once, with the same <paramref name="worldSize"/>.
    /// </summary>
    byte[] Share(int rank, int worldSize, Func<byte[]> create);
}

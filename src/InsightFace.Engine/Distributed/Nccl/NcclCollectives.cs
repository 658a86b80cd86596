using TorchSharp;
using static TorchSharp.torch;

namespace InsightFace.Engine.Distributed.Nccl;

/// <summary>
/// The collectives of a multi-process job on GPUs, over NCCL: one process per GPU, one communicator per process, on
/// CUDA tensors of this rank's device. Every call is enqueued on CUDA's legacy default stream (stream 0), where
/// libtorch runs its own kernels (TorchSharp exposes no other stream), so collectives are ordered with the
/// computation around them without any synchronisation; only <see cref="Barrier"/> waits for the GPU.
/// </summary>
/// <remarks>
/// Not yet run on a GPU: it is tested against a stand-in for NCCL (tests/…/Distributed/Nccl), and tests/gpu checks
/// its constants against a real NCCL. Dispose it (ncclCommDestroy) when the job ends; on failure call
/// <see cref="Abort"/>. A watchdog thread aborts the job when NCCL reports an asynchronous error (a peer gone).
/// </remarks>
public sealed class NcclCollectives : ICollectives, IDisposable
{
    // cudaStream_t 0: the legacy default stream, which libtorch's kernels use unless told otherwise.
    private static readonly IntPtr DefaultStream = IntPtr.Zero;
    private static readonly TimeSpan WatchInterval = TimeSpan.FromSeconds(1);

    private readonly INcclApi nccl;
    private readonly Action<int> exit;
    private readonly Device device;
    private readonly bool hostMemory;
    private readonly NcclWatchdog watchdog;
    private IntPtr comm;

    /// <summary>
    /// Joins the job through <paramref name="nccl"/>; <paramref name="exit"/> ends the process. With
    /// <paramref name="hostMemory"/> (tests only) the collectives take CPU tensors, for a stand-in NCCL that treats
    /// the addresses as host memory.
    /// </summary>
    internal NcclCollectives(INcclApi nccl, int rank, int worldSize, int localRank, int cudaDevice,
        IUniqueIdExchange exchange, Action<int> exit, bool hostMemory = false)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(worldSize);
        if (rank < 0 || rank >= worldSize) throw new ArgumentOutOfRangeException(nameof(rank), rank, $"The ranks are 0 to {worldSize - 1}.");
        ArgumentOutOfRangeException.ThrowIfNegative(localRank);
        ArgumentOutOfRangeException.ThrowIfNegative(cudaDevice);
        this.nccl = nccl;
        this.exit = exit;
        this.hostMemory = hostMemory;
        Rank = rank;
        WorldSize = worldSize;
        LocalRank = localRank;
        device = hostMemory ? CPU : new Device(DeviceType.CUDA, cudaDevice);

        nccl.SetCudaDevice(cudaDevice);
        var id = NcclUniqueId.From(exchange.Share(rank, worldSize, () =>
        {
            Check(nccl.GetUniqueId(out var made), "ncclGetUniqueId");
            return made.ToArray();
        }));
        Check(nccl.CommInitRank(out comm, worldSize, id, rank), "ncclCommInitRank");
        watchdog = new NcclWatchdog(PollAsyncError, OnAsyncError, WatchInterval);
    }

    /// <summary>
    /// Joins the job's NCCL communicator: makes the GPU current on the calling thread, shares rank 0's NCCL id
    /// through <paramref name="exchange"/> and creates the communicator, which waits until every rank has come.
    /// Call it on the thread that will call the collectives (the training thread), on every rank.
    /// </summary>
    /// <param name="rank">This process's rank, 0 … <paramref name="worldSize"/> − 1.</param>
    /// <param name="worldSize">The number of processes, one per GPU.</param>
    /// <param name="localRank">This process's index on its machine.</param>
    /// <param name="exchange">How the NCCL id reaches every rank: <see cref="BroadcastUniqueIdExchange"/> over MPI, or
    /// <see cref="TcpUniqueIdExchange"/>.</param>
    /// <param name="cudaDevice">The CUDA device this rank's tensors live on; by default cuda:<paramref name="localRank"/>.</param>
    /// <exception cref="NcclException">NCCL is not installed (NcclNotFound), a call failed (NcclCallFailed), or the
    /// ranks could not meet (RendezvousFailed).</exception>
    /// <exception cref="Runtime.DeviceUnavailableException">The GPU cannot be made current (no NVIDIA driver, no such device).</exception>
    public static NcclCollectives Create(int rank, int worldSize, int localRank, IUniqueIdExchange exchange, int? cudaDevice = null) =>
        new(NcclApi.Load(), rank, worldSize, localRank, cudaDevice ?? localRank, exchange, Environment.Exit);

    /// <inheritdoc/>
    public int Rank { get; }

    /// <inheritdoc/>
    public int WorldSize { get; }

    /// <inheritdoc/>
    public int LocalRank { get; }

    /// <inheritdoc/>
    public void AllReduce(Tensor tensor, ReduceOp op)
    {
        var buffer = Buffer(tensor, nameof(tensor));
        var nop = op switch
        {
            ReduceOp.Sum => NcclRedOp.Sum,
            ReduceOp.Max => NcclRedOp.Max,
            _ => throw new ArgumentOutOfRangeException(nameof(op), op, "Not a reduction NCCL does."),
        };
        Check(nccl.AllReduce(buffer.Pointer, buffer.Pointer, buffer.Count, buffer.Type, nop, Comm, DefaultStream), "ncclAllReduce");
        GC.KeepAlive(tensor);
    }

    /// <inheritdoc/>
    public Tensor AllGather(Tensor local)
    {
        if (local.dim() == 0) throw new ArgumentException("All-gather concatenates along dimension 0; a scalar has none.", nameof(local));
        var input = Buffer(local, nameof(local));
        var shape = local.shape.ToArray();
        shape[0] *= WorldSize;
        return Into(empty(shape, local.dtype, device), output =>
            nccl.AllGather(input.Pointer, output.Pointer, input.Count, input.Type, Comm, DefaultStream), "ncclAllGather", local);
    }

    /// <inheritdoc/>
    public Tensor ReduceScatter(Tensor input)
    {
        if (input.dim() == 0 || input.shape[0] % WorldSize != 0)
            throw new ArgumentException(
                $"Reduce-scatter splits dimension 0 into {WorldSize} equal blocks; shape [{string.Join(", ", input.shape)}] does not divide.", nameof(input));
        var send = Buffer(input, nameof(input));
        var shape = input.shape.ToArray();
        shape[0] /= WorldSize;
        return Into(empty(shape, input.dtype, device), output =>
            nccl.ReduceScatter(send.Pointer, output.Pointer, output.Count, send.Type, NcclRedOp.Sum, Comm, DefaultStream), "ncclReduceScatter", input);
    }

    /// <inheritdoc/>
    public void Broadcast(Tensor tensor, int root)
    {
        if (root < 0 || root >= WorldSize) throw new ArgumentOutOfRangeException(nameof(root), root, $"The ranks are 0 to {WorldSize - 1}.");
        var buffer = Buffer(tensor, nameof(tensor));
        Check(nccl.Broadcast(buffer.Pointer, buffer.Pointer, buffer.Count, buffer.Type, root, Comm, DefaultStream), "ncclBroadcast");
        GC.KeepAlive(tensor);
    }

    /// <summary>
    /// Returns once every rank has called it: an all-reduce of one element, as PyTorch's NCCL barrier does, then a
    /// read of the result, which waits until the GPU has run everything enqueued before it.
    /// </summary>
    public void Barrier()
    {
        using var one = ones(1, ScalarType.Float32, device);
        AllReduce(one, ReduceOp.Sum);
        one.item<float>();
    }

    /// <summary>
    /// Stops this rank's NCCL work (ncclCommAbort, which does not wait for peers) and ends the process with
    /// <paramref name="exitCode"/>. The launcher (mpiexec, the cmdlet) then ends the other ranks; a rank whose NCCL
    /// notices the lost peer first is ended by its own watchdog.
    /// </summary>
    public void Abort(int exitCode)
    {
        watchdog.Dispose();
        var aborted = Interlocked.Exchange(ref comm, IntPtr.Zero);
        if (aborted != IntPtr.Zero) nccl.CommAbort(aborted); // its result changes nothing: the process ends
        exit(exitCode);
    }

    /// <summary>Frees the communicator (ncclCommDestroy) once its work has finished. Call it on every rank.</summary>
    public void Dispose()
    {
        watchdog.Dispose();
        var destroyed = Interlocked.Exchange(ref comm, IntPtr.Zero);
        if (destroyed != IntPtr.Zero) Check(nccl.CommDestroy(destroyed), "ncclCommDestroy");
    }

    private IntPtr Comm => comm != IntPtr.Zero ? comm : throw new ObjectDisposedException(nameof(NcclCollectives));

    private NcclBuffer Buffer(Tensor tensor, string parameter)
    {
        ObjectDisposedException.ThrowIf(comm == IntPtr.Zero, this);
        if (!hostMemory && (tensor.device_type != DeviceType.CUDA || tensor.device_index != device.index))
            throw new ArgumentException($"NCCL works on tensors of {device}, this rank's GPU; this one is on {tensor.device}.", parameter);
        return NcclBuffer.Of(tensor, parameter);
    }

    // Runs a collective that writes into the new tensor `output`; disposes it if the call fails.
    private Tensor Into(Tensor output, Func<NcclBuffer, NcclResult> call, string name, Tensor input)
    {
        try
        {
            Check(call(NcclBuffer.Of(output, nameof(output))), name);
            GC.KeepAlive(input);
            return output;
        }
        catch
        {
            output.Dispose();
            throw;
        }
    }

    private NcclResult PollAsyncError()
    {
        var current = comm;
        if (current == IntPtr.Zero) return NcclResult.Success;
        var result = nccl.CommGetAsyncError(current, out var asyncError);
        return result == NcclResult.Success ? asyncError : result;
    }

    private void OnAsyncError(NcclResult error)
    {
        Console.Error.WriteLine($"Rank {Rank} of {WorldSize}: NCCL reported an error after a collective " +
                                $"({nccl.GetErrorString(error)}); a peer is probably gone. Aborting the job.");
        Abort(1);
    }

    private void Check(NcclResult result, string call)
    {
        if (result == NcclResult.Success) return;
        throw new NcclException(ErrorIds.NcclCallFailed,
            $"{call} failed on rank {Rank} of {WorldSize}: {nccl.GetErrorString(result)} (ncclResult_t {(int)result}, {result}). " +
            "Set NCCL_DEBUG=INFO for NCCL's own account.");
    }
}

using System.Text;
using TorchSharp;
using static TorchSharp.torch;

namespace InsightFace.Engine.Distributed;

/// <summary>
/// The collectives of a job started by <c>mpiexec</c> (or <c>srun</c>), over the system's MPICH or Open MPI, on CPU
/// tensors. MPI starts once per process, so there is one instance, <see cref="World"/>, made on first use;
/// <see cref="Dispose"/> finalises MPI, after which MPI cannot start again in this process.
/// </summary>
/// <remarks>
/// MPI runs at MPI_THREAD_FUNNELED: every call but <see cref="Abort"/> must come from the thread that first touched
/// <see cref="World"/>, and a call from another thread throws instead of corrupting MPI's state.
/// </remarks>
public sealed class MpiCollectives : ICollectives, IDisposable
{
    private static readonly Lazy<MpiCollectives> LazyWorld = new(() => new MpiCollectives(JobEnvironment.FromProcess()));

    private readonly MpiApi api;
    private readonly bool startedMpi;
    private readonly int thread;
    private bool disposed;

    private MpiCollectives(JobEnvironment job)
    {
        var (library, name) = MpiLibrary.Load(MpiLibrary.CandidatesFor(job.Launcher));
        Library = name;
        api = new MpiApi(library);
        if (api.Finalized()) throw new InvalidOperationException("MPI was finalised in this process and cannot start again.");
        startedMpi = !api.Initialized();
        if (startedMpi) api.InitThread(MpiApi.ThreadFunneled);
        thread = Environment.CurrentManagedThreadId;
        api.ReturnErrors();
        Rank = api.CommRank();
        WorldSize = api.CommSize();
        if (job.Launcher != JobLauncher.None && job.WorldSize != WorldSize)
        {
            if (startedMpi) api.FinalizeMpi();
            throw new DistributedException(ErrorIds.MpiWorldMismatch,
                $"The launcher ({job.Launcher}) started {job.WorldSize} processes, but {name}'s world has {WorldSize}: " +
                "start the job with the mpiexec of the MPI library that loads (mpiexec.mpich for libmpich.so.12, " +
                "mpiexec.openmpi for libmpi.so.40).");
        }
        LocalRank = job.LocalRank ?? LocalRankFromHostNames();
    }

    /// <summary>The world of this process's job, made (and MPI started) on first use.</summary>
    /// <exception cref="DistributedException">No MPI library loads (MpiNotInstalled), MPI's world is not the one the
    /// launcher announced (MpiWorldMismatch), or MPI fails to start (MpiCallFailed).</exception>
    public static MpiCollectives World => LazyWorld.Value;

    /// <summary>The soname of the MPI library in use.</summary>
    public string Library { get; }

    /// <inheritdoc/>
    public int Rank { get; }

    /// <inheritdoc/>
    public int WorldSize { get; }

    /// <summary>From the launcher's variables or, where it sets none, the number of lower ranks on the same host.</summary>
    public int LocalRank { get; }

    /// <inheritdoc/>
    public void AllReduce(Tensor tensor, ReduceOp op)
    {
        Ready();
        MpiBuffer.Require(tensor, nameof(tensor));
        if (tensor.dtype == ScalarType.Float16)
        {
            using var wide = tensor.to(ScalarType.Float32);
            AllReduce(wide, op);
            using (no_grad()) tensor.copy_(wide);
            return;
        }
        var buffer = MpiBuffer.Of(tensor, api.Handles);
        api.Allreduce(api.Handles.InPlace, buffer.Address, buffer.Count, buffer.Datatype, op == ReduceOp.Sum ? api.Handles.Sum : api.Handles.Max);
        GC.KeepAlive(tensor);
    }

    /// <inheritdoc/>
    public Tensor AllGather(Tensor local)
    {
        Ready();
        if (local.dim() == 0) throw new ArgumentException("All-gather concatenates along dimension 0; a scalar has none.", nameof(local));
        var send = MpiBuffer.Of(local, api.Handles);
        var shape = local.shape.ToArray();
        shape[0] *= WorldSize;
        var gathered = empty(shape, local.dtype);
        var receive = MpiBuffer.Of(gathered, api.Handles);
        api.Allgather(send.Address, receive.Address, send.Count, send.Datatype);
        GC.KeepAlive(local);
        GC.KeepAlive(gathered);
        return gathered;
    }

    /// <inheritdoc/>
    public Tensor ReduceScatter(Tensor input)
    {
        Ready();
        MpiBuffer.Require(input, nameof(input));
        if (input.dim() == 0 || input.shape[0] % WorldSize != 0)
            throw new ArgumentException($"Reduce-scatter splits dimension 0 into {WorldSize} equal blocks; this tensor's shape is [{string.Join(", ", input.shape)}].", nameof(input));
        if (input.dtype == ScalarType.Float16)
        {
            using var wide = input.to(ScalarType.Float32);
            using var block = ReduceScatter(wide);
            return block.to(ScalarType.Float16);
        }
        var send = MpiBuffer.Of(input, api.Handles);
        var shape = input.shape.ToArray();
        shape[0] /= WorldSize;
        var sum = empty(shape, input.dtype);
        var receive = MpiBuffer.Of(sum, api.Handles);
        api.ReduceScatterBlock(send.Address, receive.Address, receive.Count, receive.Datatype, api.Handles.Sum);
        GC.KeepAlive(input);
        GC.KeepAlive(sum);
        return sum;
    }

    /// <inheritdoc/>
    public void Broadcast(Tensor tensor, int root)
    {
        Ready();
        if (root < 0 || root >= WorldSize)
            throw new ArgumentOutOfRangeException(nameof(root), root, $"The root must be a rank from 0 to {WorldSize - 1}.");
        var buffer = MpiBuffer.Of(tensor, api.Handles);
        api.Bcast(buffer.Address, buffer.Count, buffer.Datatype, root);
        GC.KeepAlive(tensor);
    }

    /// <inheritdoc/>
    public void Barrier()
    {
        Ready();
        api.Barrier();
    }

    /// <summary>MPI_Abort: ends every rank of the job with <paramref name="exitCode"/>. Callable from any thread.</summary>
    public void Abort(int exitCode)
    {
        if (!disposed) api.Abort(exitCode);
        Environment.Exit(exitCode);
    }

    /// <summary>Finalises MPI if this instance started it. Every rank must call it, from the thread that started MPI.</summary>
    public void Dispose()
    {
        if (disposed) return;
        RequireThread();
        disposed = true;
        if (startedMpi) api.FinalizeMpi();
    }

    /// <summary>The number of lower ranks whose host name is this one's: the local rank when the launcher does not say.</summary>
    internal int LocalRankFromHostNames()
    {
        const int width = 256;
        var host = Encoding.UTF8.GetBytes(Environment.MachineName);
        var name = new byte[width];
        host.AsSpan(0, Math.Min(host.Length, width)).CopyTo(name);
        using var mine = tensor(name, new long[] { 1, width });
        using var all = AllGather(mine);
        var names = all.bytes.ToArray();
        return Enumerable.Range(0, Rank).Count(r => names.AsSpan(r * width, width).SequenceEqual(name));
    }

    private void Ready()
    {
        ObjectDisposedException.ThrowIf(disposed, this);
        RequireThread();
    }

    private void RequireThread()
    {
        if (Environment.CurrentManagedThreadId != thread)
            throw new InvalidOperationException(
                $"MPI runs funneled through thread {thread}, which started it; thread {Environment.CurrentManagedThreadId} may not call it.");
    }
}

using System.Collections.Concurrent;
using System.Runtime.InteropServices;
using InsightFace.Engine.Distributed.Nccl;

namespace InsightFace.Engine.Tests.Distributed.Nccl;

/// <summary>
/// A stand-in for NCCL that records every call and runs the collectives of W in-process ranks (one thread each) for
/// real, reading and writing the buffers as host memory; so the tensors given to it must be CPU tensors (the
/// collectives' hostMemory seam). Communicators with the same 128-byte id form one job, as in NCCL.
/// </summary>
internal sealed class FakeNccl : INcclApi
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    private readonly ConcurrentQueue<NcclCall> calls = new();
    private readonly ConcurrentDictionary<IntPtr, (Job Job, int Rank)> comms = new();
    private readonly ConcurrentDictionary<string, Job> jobs = new();
    private readonly ConcurrentQueue<byte[]> madeIds = new();
    private readonly ThreadLocal<int> currentDevice = new(() => -1);
    private long lastComm = 0x1000;

    /// <summary>Every call so far, in the order they were made.</summary>
    public IReadOnlyList<NcclCall> Calls => calls.ToArray();

    /// <summary>The ids ncclGetUniqueId made.</summary>
    public IReadOnlyList<byte[]> MadeIds => madeIds.ToArray();

    /// <summary>A call's name and the result it returns instead of running; null runs every call.</summary>
    public (string Call, NcclResult Result)? Failure { get; set; }

    /// <summary>What ncclCommGetAsyncError reports.</summary>
    public NcclResult AsyncError { get; set; } = NcclResult.Success;

    public void SetCudaDevice(int ordinal)
    {
        calls.Enqueue(new NcclCall("SetCudaDevice", Device: ordinal));
        currentDevice.Value = ordinal;
    }

    public NcclResult GetUniqueId(out NcclUniqueId id)
    {
        var bytes = new byte[NcclUniqueId.Size];
        Random.Shared.NextBytes(bytes);
        id = NcclUniqueId.From(bytes);
        if (Fails("ncclGetUniqueId", new NcclCall("ncclGetUniqueId"), out var result)) return result;
        madeIds.Enqueue(bytes);
        return NcclResult.Success;
    }

    public NcclResult CommInitRank(out IntPtr comm, int nranks, NcclUniqueId id, int rank)
    {
        comm = IntPtr.Zero;
        var bytes = id.ToArray();
        if (Fails("ncclCommInitRank", new NcclCall("ncclCommInitRank", rank, NRanks: nranks, Device: currentDevice.Value, Id: bytes), out var result))
            return result;
        var job = jobs.GetOrAdd(Convert.ToHexString(bytes), _ => new Job(nranks));
        comm = (IntPtr)Interlocked.Increment(ref lastComm);
        comms[comm] = (job, rank);
        job.Meet(); // ncclCommInitRank returns once every rank has come
        return NcclResult.Success;
    }

    public NcclResult AllReduce(IntPtr send, IntPtr recv, nuint count, NcclDataType type, NcclRedOp op, IntPtr comm, IntPtr stream) =>
        Collective(new NcclCall("ncclAllReduce", Rank(comm), comm, send, recv, count, type, op, Stream: stream), (buffers, rank) =>
            Enumerable.Range(0, (int)count).Select(i => buffers.Select(b => Read(b.Send, i, type)).Aggregate((a, v) => op == NcclRedOp.Sum ? a + v : Math.Max(a, v))));

    public NcclResult AllGather(IntPtr send, IntPtr recv, nuint sendCount, NcclDataType type, IntPtr comm, IntPtr stream) =>
        Collective(new NcclCall("ncclAllGather", Rank(comm), comm, send, recv, sendCount, type, Stream: stream), (buffers, rank) =>
            buffers.SelectMany(b => Enumerable.Range(0, (int)sendCount).Select(i => Read(b.Send, i, type))));

    public NcclResult ReduceScatter(IntPtr send, IntPtr recv, nuint recvCount, NcclDataType type, NcclRedOp op, IntPtr comm, IntPtr stream) =>
        Collective(new NcclCall("ncclReduceScatter", Rank(comm), comm, send, recv, recvCount, type, op, Stream: stream), (buffers, rank) =>
            Enumerable.Range(0, (int)recvCount).Select(i => buffers.Sum(b => Read(b.Send, rank * (int)recvCount + i, type))));

    public NcclResult Broadcast(IntPtr send, IntPtr recv, nuint count, NcclDataType type, int root, IntPtr comm, IntPtr stream) =>
        Collective(new NcclCall("ncclBroadcast", Rank(comm), comm, send, recv, count, type, Root: root, Stream: stream), (buffers, rank) =>
            Enumerable.Range(0, (int)count).Select(i => Read(buffers[root].Send, i, type)));

    public NcclResult CommGetAsyncError(IntPtr comm, out NcclResult asyncError)
    {
        calls.Enqueue(new NcclCall("ncclCommGetAsyncError", Rank(comm), comm));
        asyncError = AsyncError;
        return NcclResult.Success;
    }

    public NcclResult CommDestroy(IntPtr comm) => End("ncclCommDestroy", comm);

    public NcclResult CommAbort(IntPtr comm) => End("ncclCommAbort", comm);

    public string GetErrorString(NcclResult result) => $"fake NCCL says {result}";

    private NcclResult End(string name, IntPtr comm)
    {
        var call = new NcclCall(name, Rank(comm), comm);
        if (Fails(name, call, out var result)) return result;
        comms.TryRemove(comm, out _);
        return NcclResult.Success;
    }

    private int Rank(IntPtr comm) => comms.TryGetValue(comm, out var entry) ? entry.Rank : -1;

    private bool Fails(string name, NcclCall call, out NcclResult result)
    {
        calls.Enqueue(call);
        result = Failure is { } failure && failure.Call == name ? failure.Result : NcclResult.Success;
        return result != NcclResult.Success;
    }

    // Every rank publishes its buffers; once all have, each computes its result from everyone's send buffer, and
    // only after all have read does any write its receive buffer (in-place calls share the two).
    private NcclResult Collective(NcclCall call, Func<(IntPtr Send, IntPtr Recv)[], int, IEnumerable<double>> compute)
    {
        if (Fails(call.Name, call, out var failed)) return failed;
        if (!comms.TryGetValue(call.Comm, out var entry)) return NcclResult.InvalidArgument;
        var (job, rank) = entry;
        job.Buffers[rank] = (call.Send, call.Recv);
        job.Meet();
        var result = compute(job.Buffers, rank).ToArray();
        job.Meet();
        for (var i = 0; i < result.Length; i++) Write(call.Recv, i, call.Type!.Value, result[i]);
        return NcclResult.Success;
    }

    private static double Read(IntPtr p, int i, NcclDataType type) => type switch
    {
        NcclDataType.Float32 => BitConverter.Int32BitsToSingle(Marshal.ReadInt32(p, 4 * i)),
        NcclDataType.Float64 => BitConverter.Int64BitsToDouble(Marshal.ReadInt64(p, 8 * i)),
        NcclDataType.Float16 => (double)BitConverter.Int16BitsToHalf(Marshal.ReadInt16(p, 2 * i)),
        NcclDataType.Bfloat16 => BitConverter.Int32BitsToSingle((ushort)Marshal.ReadInt16(p, 2 * i) << 16),
        NcclDataType.Int32 => Marshal.ReadInt32(p, 4 * i),
        NcclDataType.Int64 => Marshal.ReadInt64(p, 8 * i),
        NcclDataType.Uint8 => Marshal.ReadByte(p, i),
        _ => throw new ArgumentOutOfRangeException(nameof(type)),
    };

    private static void Write(IntPtr p, int i, NcclDataType type, double value)
    {
        switch (type)
        {
            case NcclDataType.Float32: Marshal.WriteInt32(p, 4 * i, BitConverter.SingleToInt32Bits((float)value)); break;
            case NcclDataType.Float64: Marshal.WriteInt64(p, 8 * i, BitConverter.DoubleToInt64Bits(value)); break;
            case NcclDataType.Float16: Marshal.WriteInt16(p, 2 * i, BitConverter.HalfToInt16Bits((Half)value)); break;
            case NcclDataType.Bfloat16: Marshal.WriteInt16(p, 2 * i, (short)(BitConverter.SingleToInt32Bits((float)value) >> 16)); break;
            case NcclDataType.Int32: Marshal.WriteInt32(p, 4 * i, (int)value); break;
            case NcclDataType.Int64: Marshal.WriteInt64(p, 8 * i, (long)value); break;
            case NcclDataType.Uint8: Marshal.WriteByte(p, i, (byte)value); break;
            default: throw new ArgumentOutOfRangeException(nameof(type));
        }
    }

    private sealed class Job(int size)
    {
        private readonly Barrier barrier = new(size);

        public (IntPtr Send, IntPtr Recv)[] Buffers { get; } = new (IntPtr, IntPtr)[size];

        public void Meet()
        {
            if (!barrier.SignalAndWait(Patience)) throw new TimeoutException($"A rank waited {Patience} for the others in the fake NCCL.");
        }
    }
}

/// <summary>One call the fake NCCL received, with the arguments it had (Device: the thread's current CUDA device).</summary>
internal sealed record NcclCall(
    string Name, int Rank = -1, IntPtr Comm = default, IntPtr Send = default, IntPtr Recv = default, nuint Count = 0,
    NcclDataType? Type = null, NcclRedOp? Op = null, int Root = -1, IntPtr Stream = default, byte[]? Id = null,
    int NRanks = 0, int Device = -1);

using InsightFace.Engine.Distributed;
using InsightFace.Engine.Distributed.Nccl;
using TorchSharp;
using static TorchSharp.torch;

namespace InsightFace.Engine.Tests.Distributed.Nccl;

public class NcclCollectivesTests
{
    // ncclDataType_t per element type, from nccl.h (not from our enum, which is what these check).
    public static TheoryData<ScalarType, int> NcclTypeCodes => new()
    {
        { ScalarType.Float32, 7 }, { ScalarType.Float64, 8 }, { ScalarType.Float16, 6 }, { ScalarType.BFloat16, 9 },
        { ScalarType.Int32, 2 }, { ScalarType.Int64, 4 }, { ScalarType.Byte, 1 },
    };

    [Fact]
    public void Every_rank_creates_its_communicator_on_its_GPU_with_rank_0s_id_passed_intact()
    {
        var fake = new FakeNccl();
        FakeNcclJob.Run(fake, 3, c => c.Rank);

        var made = Assert.Single(fake.MadeIds);
        var inits = fake.Calls.Where(c => c.Name == "ncclCommInitRank").OrderBy(c => c.Rank).ToList();
        Assert.Equal([0, 1, 2], inits.Select(c => c.Rank));
        Assert.All(inits, c =>
        {
            Assert.Equal(made, c.Id);
            Assert.Equal(3, c.NRanks);
            Assert.Equal(c.Rank, c.Device); // cuda:rank was current on the thread when the communicator was made
        });
    }

    [Theory]
    [MemberData(nameof(NcclTypeCodes))]
    public void All_reduce_sums_and_maxes_in_place_with_NCCLs_code_for_the_type(ScalarType dtype, int code)
    {
        var fake = new FakeNccl();
        var results = FakeNcclJob.Run(fake, 3, c =>
        {
            // Rank r holds [r+1, 10-3r, 2]; small integers, exact in every type.
            using var mine = tensor(new double[] { c.Rank + 1, 10 - 3 * c.Rank, 2 }).to(dtype);
            var sum = mine.clone();
            c.AllReduce(sum, ReduceOp.Sum);
            var max = mine.clone();
            c.AllReduce(max, ReduceOp.Max);
            return (Sum: Values(sum), Max: Values(max));
        });

        Assert.All(results, r =>
        {
            Assert.Equal([6.0, 21.0, 6.0], r.Sum);
            Assert.Equal([3.0, 10.0, 2.0], r.Max);
        });
        var reduces = fake.Calls.Where(c => c.Name == "ncclAllReduce").ToList();
        Assert.Equal(6, reduces.Count);
        Assert.All(reduces, c =>
        {
            Assert.Equal(code, (int)c.Type!.Value);
            Assert.Equal(3u, c.Count);
            Assert.Equal(c.Send, c.Recv); // in place
            Assert.Equal(IntPtr.Zero, c.Stream);
        });
        Assert.Equal(3, reduces.Count(c => (int)c.Op!.Value == 0)); // ncclSum
        Assert.Equal(3, reduces.Count(c => (int)c.Op!.Value == 2)); // ncclMax
    }

    [Fact]
    public void A_view_is_reduced_at_its_own_offset_and_the_rest_of_its_storage_is_untouched()
    {
        var fake = new FakeNccl();
        var results = FakeNcclJob.Run(fake, 2, c =>
        {
            var whole = full(10, c.Rank + 1.0f);
            using var view = whole.narrow(0, 4, 3);
            c.AllReduce(view, ReduceOp.Sum);
            return (Whole: Values(whole), Expected: whole.storage<float>().data_ptr() + 4 * sizeof(float));
        });

        Assert.Equal([1f, 1, 1, 1, 3, 3, 3, 1, 1, 1], results[0].Whole.Select(v => (float)v));
        Assert.Equal([2f, 2, 2, 2, 3, 3, 3, 2, 2, 2], results[1].Whole.Select(v => (float)v));
        var sends = fake.Calls.Where(c => c.Name == "ncclAllReduce").OrderBy(c => c.Rank).Select(c => c.Send);
        Assert.Equal(results.Select(r => r.Expected), sends);
    }

    [Fact]
    public void The_address_is_TorchSharps_storage_data_ptr_plus_the_offset_for_every_type()
    {
        using var scope = NewDisposeScope();
        var f32 = arange(6, ScalarType.Float32).narrow(0, 2, 3);
        var f64 = arange(6, ScalarType.Float64).narrow(0, 2, 3);
        var i32 = arange(6, ScalarType.Int32).narrow(0, 2, 3);
        var i64 = arange(6, ScalarType.Int64).narrow(0, 2, 3);
        var u8 = arange(6, ScalarType.Byte).narrow(0, 2, 3);
        Assert.Equal(f32.storage<float>().data_ptr() + 2 * 4, NcclBuffer.Of(f32, "t").Pointer);
        Assert.Equal(f64.storage<double>().data_ptr() + 2 * 8, NcclBuffer.Of(f64, "t").Pointer);
        Assert.Equal(i32.storage<int>().data_ptr() + 2 * 4, NcclBuffer.Of(i32, "t").Pointer);
        Assert.Equal(i64.storage<long>().data_ptr() + 2 * 8, NcclBuffer.Of(i64, "t").Pointer);
        Assert.Equal(u8.storage<byte>().data_ptr() + 2, NcclBuffer.Of(u8, "t").Pointer);

        // TorchSharp has no storage<T> for the 16-bit floats: read the bits at the address instead (-2.0 is 0xC000 in both).
        var half = tensor(new[] { 1.5, -2.0 }).to(ScalarType.Float16).narrow(0, 1, 1);
        var bf16 = tensor(new[] { 1.5, -2.0 }).to(ScalarType.BFloat16).narrow(0, 1, 1);
        Assert.Equal(unchecked((short)0xC000), System.Runtime.InteropServices.Marshal.ReadInt16(NcclBuffer.Of(half, "t").Pointer));
        Assert.Equal(unchecked((short)0xC000), System.Runtime.InteropServices.Marshal.ReadInt16(NcclBuffer.Of(bf16, "t").Pointer));
        Assert.Equal((6u, NcclDataType.Float16), (NcclBuffer.Of(arange(6).to(ScalarType.Float16), "t").Count, NcclBuffer.Of(half, "t").Type));
    }

    [Fact]
    public void All_gather_concatenates_the_ranks_in_order_into_a_new_tensor()
    {
        var fake = new FakeNccl();
        var results = FakeNcclJob.Run(fake, 3, c =>
        {
            using var local = tensor(new float[,] { { c.Rank, -c.Rank }, { 10 * c.Rank, 1 } });
            var gathered = c.AllGather(local);
            return (Shape: gathered.shape, Values: Values(gathered), Local: Values(local), Output: gathered.storage<float>().data_ptr());
        });

        Assert.All(results, r =>
        {
            Assert.Equal([6L, 2], r.Shape);
            Assert.Equal([0.0, 0, 0, 1, 1, -1, 10, 1, 2, -2, 20, 1], r.Values);
        });
        Assert.Equal([1.0, -1, 10, 1], results[1].Local);
        var gathers = fake.Calls.Where(c => c.Name == "ncclAllGather").OrderBy(c => c.Rank).ToList();
        Assert.All(gathers, c => Assert.Equal((4u, NcclDataType.Float32, IntPtr.Zero), (c.Count, c.Type!.Value, c.Stream)));
        Assert.Equal(results.Select(r => r.Output), gathers.Select(c => c.Recv));
    }

    [Fact]
    public void Reduce_scatter_gives_each_rank_its_block_of_the_sum()
    {
        var fake = new FakeNccl();
        var results = FakeNcclJob.Run(fake, 2, c =>
        {
            // Rank r holds rows i = 0..3 of (r+1)·[i, 10i, 100i]; the sum is 3·[i, 10i, 100i].
            using var input = (arange(4, ScalarType.Float64).unsqueeze(1) * tensor(new[] { 1.0, 10, 100 })) * (c.Rank + 1);
            using var block = c.ReduceScatter(input);
            return (Shape: block.shape, Values: Values(block));
        });

        Assert.Equal([2L, 3], results[0].Shape);
        Assert.Equal([0.0, 0, 0, 3, 30, 300], results[0].Values);
        Assert.Equal([6.0, 60, 600, 9, 90, 900], results[1].Values);
        Assert.All(fake.Calls.Where(c => c.Name == "ncclReduceScatter"),
            c => Assert.Equal((6u, NcclDataType.Float64, NcclRedOp.Sum), (c.Count, c.Type!.Value, c.Op!.Value)));
    }

    [Fact]
    public void Broadcast_overwrites_every_rank_with_the_roots_values()
    {
        var fake = new FakeNccl();
        var results = FakeNcclJob.Run(fake, 3, c =>
        {
            using var t = tensor(new long[] { c.Rank, 7 * c.Rank });
            c.Broadcast(t, root: 2);
            return Values(t);
        });

        Assert.All(results, r => Assert.Equal([2.0, 14], r));
        Assert.All(fake.Calls.Where(c => c.Name == "ncclBroadcast"), c =>
        {
            Assert.Equal((2, NcclDataType.Int64, 2u), (c.Root, c.Type!.Value, c.Count));
            Assert.Equal(c.Send, c.Recv);
        });
    }

    [Fact]
    public void Barrier_is_an_all_reduce_of_one_float()
    {
        var fake = new FakeNccl();
        FakeNcclJob.Run(fake, 2, c =>
        {
            c.Barrier();
            return 0;
        });

        var reduces = fake.Calls.Where(c => c.Name == "ncclAllReduce").ToList();
        Assert.Equal(2, reduces.Count);
        Assert.All(reduces, c => Assert.Equal((1u, NcclDataType.Float32, NcclRedOp.Sum), (c.Count, c.Type!.Value, c.Op!.Value)));
    }

    [Fact]
    public void Tensors_NCCL_cannot_take_are_refused_before_it_is_called()
    {
        var fake = new FakeNccl();
        using var nccl = FakeNcclJob.Join(fake, SingleProcessCollectives.Instance, _ => { });
        var before = fake.Calls.Count(c => c.Name != "ncclCommGetAsyncError");
        using var scope = NewDisposeScope();

        Assert.Throws<ArgumentException>("tensor", () => nccl.AllReduce(ones(2, 3).t(), ReduceOp.Sum)); // not contiguous
        Assert.Throws<ArgumentException>("tensor", () => nccl.AllReduce(ones(2, ScalarType.Bool), ReduceOp.Sum));
        Assert.Throws<ArgumentException>("tensor", () => nccl.Broadcast(ones(2, ScalarType.Int16), 0));
        Assert.Throws<ArgumentException>("local", () => nccl.AllGather(tensor(1.0f)));
        Assert.Throws<ArgumentOutOfRangeException>("root", () => nccl.Broadcast(ones(2), 1));
        Assert.Equal(before, fake.Calls.Count(c => c.Name != "ncclCommGetAsyncError"));
    }

    [Fact]
    public void Reduce_scatter_refuses_rows_that_do_not_divide_by_the_world_size()
    {
        var fake = new FakeNccl();
        var errors = FakeNcclJob.Run(fake, 2, c => Record.Exception(() => c.ReduceScatter(ones(3, 2))));

        Assert.All(errors, e => Assert.Contains("does not divide", Assert.IsType<ArgumentException>(e).Message));
        Assert.DoesNotContain(fake.Calls, c => c.Name == "ncclReduceScatter");
    }

    [Fact]
    public void A_CPU_tensor_is_refused_by_a_communicator_on_a_GPU()
    {
        var fake = new FakeNccl();
        using var nccl = FakeNcclJob.Join(fake, SingleProcessCollectives.Instance, _ => { }, hostMemory: false);
        using var cpuTensor = ones(2);

        var e = Assert.Throws<ArgumentException>("tensor", () => nccl.AllReduce(cpuTensor, ReduceOp.Sum));
        Assert.Contains("cuda:0", e.Message);
        Assert.Contains("cpu", e.Message);
        Assert.DoesNotContain(fake.Calls, c => c.Name == "ncclAllReduce");
    }

    [Fact]
    public void A_failed_call_throws_NcclCallFailed_naming_the_call_the_rank_and_NCCLs_text()
    {
        var fake = new FakeNccl { Failure = ("ncclAllGather", NcclResult.InvalidUsage) };
        using var nccl = FakeNcclJob.Join(fake, SingleProcessCollectives.Instance, _ => { });
        using var local = ones(2);

        var e = Assert.Throws<NcclException>(() => nccl.AllGather(local));
        Assert.Equal(ErrorIds.NcclCallFailed, e.ErrorId);
        Assert.Contains("ncclAllGather failed on rank 0 of 1", e.Message);
        Assert.Contains("fake NCCL says InvalidUsage", e.Message);
    }

    [Fact]
    public void A_communicator_that_cannot_be_created_fails_with_NCCLs_text()
    {
        var fake = new FakeNccl { Failure = ("ncclCommInitRank", NcclResult.SystemError) };

        var e = Assert.Throws<NcclException>(() => FakeNcclJob.Join(fake, SingleProcessCollectives.Instance, _ => { }));
        Assert.Equal(ErrorIds.NcclCallFailed, e.ErrorId);
        Assert.Contains("ncclCommInitRank", e.Message);
        Assert.Contains("fake NCCL says SystemError", e.Message);
    }

    [Fact]
    public void Dispose_destroys_the_communicator_once_and_nothing_reaches_NCCL_afterwards()
    {
        var fake = new FakeNccl();
        var exits = new List<int>();
        var nccl = FakeNcclJob.Join(fake, SingleProcessCollectives.Instance, exits.Add);
        using var t = ones(2);
        nccl.AllReduce(t, ReduceOp.Sum);
        var handle = fake.Calls.Single(c => c.Name == "ncclAllReduce").Comm;

        nccl.Dispose();
        nccl.Dispose();
        var after = fake.Calls.Count;
        Assert.Throws<ObjectDisposedException>(() => nccl.AllReduce(t, ReduceOp.Sum));
        Assert.Throws<ObjectDisposedException>(() => nccl.AllGather(t));
        Assert.Throws<ObjectDisposedException>(() => nccl.Barrier());
        Thread.Sleep(TimeSpan.FromSeconds(1.2)); // longer than the watchdog's interval: it must have stopped too
        nccl.Abort(5);

        Assert.Equal(handle, fake.Calls.Single(c => c.Name == "ncclCommDestroy").Comm);
        Assert.Equal(after, fake.Calls.Count);
        Assert.DoesNotContain(fake.Calls, c => c.Name == "ncclCommAbort");
        Assert.Equal([5], exits);
    }

    [Fact]
    public void Abort_aborts_the_communicator_then_exits_with_the_code()
    {
        var fake = new FakeNccl();
        var exits = new List<int>();
        var nccl = FakeNcclJob.Join(fake, SingleProcessCollectives.Instance, exits.Add);
        using var t = ones(2);
        nccl.AllReduce(t, ReduceOp.Sum);

        nccl.Abort(3);
        nccl.Dispose();

        Assert.Equal(fake.Calls.Single(c => c.Name == "ncclAllReduce").Comm, fake.Calls.Single(c => c.Name == "ncclCommAbort").Comm);
        Assert.DoesNotContain(fake.Calls, c => c.Name == "ncclCommDestroy");
        Assert.Equal([3], exits);
    }

    [Fact]
    public void An_asynchronous_NCCL_error_aborts_the_job_without_a_collective_call()
    {
        var fake = new FakeNccl();
        var exitCode = -1;
        using var exited = new ManualResetEventSlim();
        using var nccl = FakeNcclJob.Join(fake, SingleProcessCollectives.Instance, code =>
        {
            exitCode = code;
            exited.Set();
        });

        fake.AsyncError = NcclResult.RemoteError;

        Assert.True(exited.Wait(TimeSpan.FromSeconds(10)), "the watchdog did not abort within 10 s");
        Assert.Equal(1, exitCode);
        Assert.Single(fake.Calls, c => c.Name == "ncclCommAbort");
    }

    private static double[] Values(Tensor t)
    {
        using var d = t.to(ScalarType.Float64).contiguous();
        return d.data<double>().ToArray();
    }
}

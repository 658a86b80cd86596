using System.Runtime.InteropServices;
using InsightFace.Engine.Distributed.Nccl;

namespace InsightFace.Engine.Tests.Distributed.Nccl;

public class NcclApiTests
{
    // A C library with nccl.h's signatures (NVIDIA/nccl src/nccl.h.in) that records what it was given: if our
    // function pointers disagreed with the C ABI (the id by value, size_t counts, argument order), it would see
    // other values than the ones sent.
    private const string FakeLibrary = """
        #include <stddef.h>
        #include <stdio.h>
        typedef struct { char internal[128]; } ncclUniqueId;
        typedef int ncclResult_t;
        static ncclUniqueId seen_id;
        static long long seen[10];
        static ncclResult_t next_result = 0;
        static void keep(long long a, long long b, long long c, long long d, long long e, long long f, long long g, long long h) {
          seen[0] = a; seen[1] = b; seen[2] = c; seen[3] = d; seen[4] = e; seen[5] = f; seen[6] = g; seen[7] = h;
        }
        ncclResult_t ncclGetUniqueId(ncclUniqueId* id) { for (int i = 0; i < 128; i++) id->internal[i] = (char)(i * 7 + 3); return next_result; }
        ncclResult_t ncclCommInitRank(void** comm, int nranks, ncclUniqueId id, int rank) {
          seen_id = id; keep(nranks, rank, 0, 0, 0, 0, 0, 0); *comm = (void*)0xC0FFEE; return next_result; }
        ncclResult_t ncclAllReduce(const void* s, void* r, size_t n, int t, int op, void* comm, void* stream) {
          keep((long long)s, (long long)r, (long long)n, t, op, -1, (long long)comm, (long long)stream); return next_result; }
        ncclResult_t ncclAllGather(const void* s, void* r, size_t n, int t, void* comm, void* stream) {
          keep((long long)s, (long long)r, (long long)n, t, -1, -1, (long long)comm, (long long)stream); return next_result; }
        ncclResult_t ncclReduceScatter(const void* s, void* r, size_t n, int t, int op, void* comm, void* stream) {
          keep((long long)s, (long long)r, (long long)n, t, op, -1, (long long)comm, (long long)stream); return next_result; }
        ncclResult_t ncclBroadcast(const void* s, void* r, size_t n, int t, int root, void* comm, void* stream) {
          keep((long long)s, (long long)r, (long long)n, t, -1, root, (long long)comm, (long long)stream); return next_result; }
        ncclResult_t ncclCommGetAsyncError(void* comm, ncclResult_t* e) { keep(0, 0, 0, 0, 0, 0, (long long)comm, 0); *e = 6; return next_result; }
        ncclResult_t ncclCommDestroy(void* comm) { keep(1, 0, 0, 0, 0, 0, (long long)comm, 0); return next_result; }
        ncclResult_t ncclCommAbort(void* comm) { keep(2, 0, 0, 0, 0, 0, (long long)comm, 0); return next_result; }
        const char* ncclGetErrorString(ncclResult_t r) { static char text[64]; snprintf(text, sizeof text, "fake error %d", r); return text; }
        const long long* fake_seen(void) { return seen; }
        const ncclUniqueId* fake_seen_id(void) { return &seen_id; }
        void fake_set_result(ncclResult_t r) { next_result = r; }
        """;

    [Fact]
    public void Without_NCCL_loading_fails_with_NcclNotFound_naming_what_was_tried()
    {
        var e = Assert.Throws<NcclException>(() => NcclApi.Load(["libnccl-absent.so.2", "libc.so.6"]));

        Assert.Equal(ErrorIds.NcclNotFound, e.ErrorId);
        Assert.Contains("libnccl-absent.so.2 (not found)", e.Message);
        Assert.Contains("libc.so.6 (exports no NCCL)", e.Message);
        Assert.Contains("LD_LIBRARY_PATH", e.Message);
    }

    [Fact]
    public void libnccl_so_2_comes_first_and_libtorch_cuda_is_the_fallback() =>
        Assert.Equal(["libnccl.so.2", "libtorch_cuda.so"], NcclApi.Candidates);

    [CCompilerFact]
    public void The_bindings_pass_every_argument_as_a_C_caller_would()
    {
        var folder = Directory.CreateTempSubdirectory("fake-nccl-");
        try
        {
            var path = Path.Combine(folder.FullName, "libfakenccl.so");
            CCompilerFactAttribute.CompileSharedLibrary(FakeLibrary, path);
            var api = NcclApi.Load([path]);
            var library = NativeLibrary.Load(path);
            var seen = Marshal.GetDelegateForFunctionPointer<Getter>(NativeLibrary.GetExport(library, "fake_seen"));
            var seenId = Marshal.GetDelegateForFunctionPointer<Getter>(NativeLibrary.GetExport(library, "fake_seen_id"));
            var setResult = Marshal.GetDelegateForFunctionPointer<Setter>(NativeLibrary.GetExport(library, "fake_set_result"));
            long[] Seen() => Copy<long>(seen(), 8);

            Assert.Equal(NcclResult.Success, api.GetUniqueId(out var made));
            Assert.Equal(Enumerable.Range(0, 128).Select(i => (byte)(i * 7 + 3)), made.ToArray());

            var id = NcclUniqueId.From(Enumerable.Range(0, 128).Select(i => (byte)(255 - i)).ToArray());
            Assert.Equal(NcclResult.Success, api.CommInitRank(out var comm, 5, id, 3));
            Assert.Equal(id.ToArray(), Copy<byte>(seenId(), 128));
            Assert.Equal([5L, 3], Seen()[..2]);
            Assert.Equal(0xC0FFEE, comm);

            var count = unchecked((nuint)(1L << 40)) + 5; // only a 64-bit size_t keeps it
            api.AllReduce(0x1000, 0x2000, count, NcclDataType.Bfloat16, NcclRedOp.Max, comm, 0);
            Assert.Equal([0x1000L, 0x2000, (long)count, 9, 2, -1, 0xC0FFEE, 0], Seen());
            api.AllGather(0x1100, 0x2100, 7, NcclDataType.Float16, comm, 0);
            Assert.Equal([0x1100L, 0x2100, 7, 6, -1, -1, 0xC0FFEE, 0], Seen());
            api.ReduceScatter(0x1200, 0x2200, 8, NcclDataType.Int64, NcclRedOp.Sum, comm, 0);
            Assert.Equal([0x1200L, 0x2200, 8, 4, 0, -1, 0xC0FFEE, 0], Seen());
            api.Broadcast(0x1300, 0x1300, 9, NcclDataType.Uint8, 4, comm, 0);
            Assert.Equal([0x1300L, 0x1300, 9, 1, -1, 4, 0xC0FFEE, 0], Seen());

            Assert.Equal(NcclResult.Success, api.CommGetAsyncError(comm, out var asyncError));
            Assert.Equal(NcclResult.RemoteError, asyncError);
            api.CommDestroy(comm);
            Assert.Equal((1L, 0xC0FFEE), (Seen()[0], Seen()[6]));
            api.CommAbort(comm);
            Assert.Equal((2L, 0xC0FFEE), (Seen()[0], Seen()[6]));

            setResult(5);
            Assert.Equal(NcclResult.InvalidUsage, api.CommDestroy(comm));
            Assert.Equal("fake error 5", api.GetErrorString(NcclResult.InvalidUsage));
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }

    [UnmanagedFunctionPointer(CallingConvention.Cdecl)]
    private delegate IntPtr Getter();

    [UnmanagedFunctionPointer(CallingConvention.Cdecl)]
    private delegate void Setter(int result);

    private static T[] Copy<T>(IntPtr source, int count) where T : unmanaged
    {
        var bytes = new byte[count * System.Runtime.CompilerServices.Unsafe.SizeOf<T>()];
        Marshal.Copy(source, bytes, 0, bytes.Length);
        return MemoryMarshal.Cast<byte, T>(bytes).ToArray();
    }
}

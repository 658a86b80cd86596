using System.Runtime.InteropServices;
using System.Text;

namespace InsightFace.Engine.Distributed;

/// <summary>
/// The MPI functions the collectives call, bound at run time from the loaded library (no <c>DllImport</c>, so the
/// same code serves MPICH and Open MPI). The collectives work on the world communicator; a non-zero return code becomes
/// a <see cref="DistributedException"/> (MpiCallFailed) with MPI_Error_string's text.
/// </summary>
internal sealed unsafe class MpiApi
{
    /// <summary>MPI_THREAD_FUNNELED (1 in both ABIs): only the thread that initialised MPI calls it.</summary>
    public const int ThreadFunneled = 1;

    // MPI_MAX_ERROR_STRING is 512 in MPICH and 256 in Open MPI.
    private const int MaxErrorString = 512;

    private readonly delegate* unmanaged<int*, int> initialized;
    private readonly delegate* unmanaged<int*, int> finalized;
    private readonly delegate* unmanaged<int*, nint, int, int*, int> initThread;
    private readonly delegate* unmanaged<int> finalize;
    private readonly delegate* unmanaged<nint, int*, int> commRank;
    private readonly delegate* unmanaged<nint, int*, int> commSize;
    private readonly delegate* unmanaged<nint, nint, int> commSetErrhandler;
    private readonly delegate* unmanaged<nint, nint, int, nint, nint, nint, int> allreduce;
    private readonly delegate* unmanaged<nint, int, nint, nint, int, nint, nint, int> allgather;
    private readonly delegate* unmanaged<nint, nint, int, nint, nint, nint, int> reduceScatterBlock;
    private readonly delegate* unmanaged<nint, int, nint, int, nint, int> bcast;
    private readonly delegate* unmanaged<nint, int> barrier;
    private readonly delegate* unmanaged<nint, int, int> abort;
    private readonly delegate* unmanaged<int, byte*, int*, int> errorString;

    /// <summary>Binds the functions and handles of the MPI library loaded as <paramref name="library"/>.</summary>
    public MpiApi(nint library)
    {
        nint Function(string name) => NativeLibrary.GetExport(library, name);
        initialized = (delegate* unmanaged<int*, int>)Function("MPI_Initialized");
        finalized = (delegate* unmanaged<int*, int>)Function("MPI_Finalized");
        initThread = (delegate* unmanaged<int*, nint, int, int*, int>)Function("MPI_Init_thread");
        finalize = (delegate* unmanaged<int>)Function("MPI_Finalize");
        commRank = (delegate* unmanaged<nint, int*, int>)Function("MPI_Comm_rank");
        commSize = (delegate* unmanaged<nint, int*, int>)Function("MPI_Comm_size");
        commSetErrhandler = (delegate* unmanaged<nint, nint, int>)Function("MPI_Comm_set_errhandler");
        allreduce = (delegate* unmanaged<nint, nint, int, nint, nint, nint, int>)Function("MPI_Allreduce");
        allgather = (delegate* unmanaged<nint, int, nint, nint, int, nint, nint, int>)Function("MPI_Allgather");
        reduceScatterBlock = (delegate* unmanaged<nint, nint, int, nint, nint, nint, int>)Function("MPI_Reduce_scatter_block");
        bcast = (delegate* unmanaged<nint, int, nint, int, nint, int>)Function("MPI_Bcast");
        barrier = (delegate* unmanaged<nint, int>)Function("MPI_Barrier");
        abort = (delegate* unmanaged<nint, int, int>)Function("MPI_Abort");
        errorString = (delegate* unmanaged<int, byte*, int*, int>)Function("MPI_Error_string");
        Handles = MpiHandles.Of(library);
    }

    /// <summary>The library's predefined handles.</summary>
    public MpiHandles Handles { get; }

    /// <summary>MPI_Initialized.</summary>
    public bool Initialized()
    {
        int flag;
        Check(initialized(&flag), "MPI_Initialized");
        return flag != 0;
    }

    /// <summary>MPI_Finalized.</summary>
    public bool Finalized()
    {
        int flag;
        Check(finalized(&flag), "MPI_Finalized");
        return flag != 0;
    }

    /// <summary>MPI_Init_thread without command-line arguments (MPI-2 allows NULL).</summary>
    public void InitThread(int required)
    {
        int provided; // MPICH and Open MPI provide at least FUNNELED
        Check(initThread(null, 0, required, &provided), "MPI_Init_thread");
    }

    /// <summary>MPI_Finalize (named so as not to look like a C# finaliser).</summary>
    public void FinalizeMpi() => Check(finalize(), "MPI_Finalize");

    /// <summary>Makes MPI report errors on the world communicator as return codes instead of ending the job.</summary>
    public void ReturnErrors() =>
        Check(commSetErrhandler(Handles.CommWorld, Handles.ErrorsReturn), "MPI_Comm_set_errhandler");

    /// <summary>MPI_Comm_rank of the world.</summary>
    public int CommRank()
    {
        int rank;
        Check(commRank(Handles.CommWorld, &rank), "MPI_Comm_rank");
        return rank;
    }

    /// <summary>MPI_Comm_size of the world.</summary>
    public int CommSize()
    {
        int size;
        Check(commSize(Handles.CommWorld, &size), "MPI_Comm_size");
        return size;
    }

    /// <summary>MPI_Allreduce over the world; <paramref name="send"/> may be <see cref="MpiHandles.InPlace"/>.</summary>
    public void Allreduce(nint send, nint receive, int count, nint datatype, nint op) =>
        Check(allreduce(send, receive, count, datatype, op, Handles.CommWorld), "MPI_Allreduce");

    /// <summary>MPI_Allgather over the world, the same type and count sent and received per rank.</summary>
    public void Allgather(nint send, nint receive, int count, nint datatype) =>
        Check(allgather(send, count, datatype, receive, count, datatype, Handles.CommWorld), "MPI_Allgather");

    /// <summary>MPI_Reduce_scatter_block over the world: each rank receives <paramref name="receiveCount"/> elements.</summary>
    public void ReduceScatterBlock(nint send, nint receive, int receiveCount, nint datatype, nint op) =>
        Check(reduceScatterBlock(send, receive, receiveCount, datatype, op, Handles.CommWorld), "MPI_Reduce_scatter_block");

    /// <summary>MPI_Bcast over the world from <paramref name="root"/>.</summary>
    public void Bcast(nint buffer, int count, nint datatype, int root) =>
        Check(bcast(buffer, count, datatype, root, Handles.CommWorld), "MPI_Bcast");

    /// <summary>MPI_Barrier over the world.</summary>
    public void Barrier() => Check(barrier(Handles.CommWorld), "MPI_Barrier");

    /// <summary>MPI_Abort of the world; it ends every rank and does not return when it succeeds.</summary>
    public void Abort(int exitCode) => abort(Handles.CommWorld, exitCode);

    private void Check(int code, string function)
    {
        if (code != 0)
            throw new DistributedException(ErrorIds.MpiCallFailed, $"{function} failed: {ErrorText(code)} (MPI error code {code}).");
    }

    private string ErrorText(int code)
    {
        var text = stackalloc byte[MaxErrorString];
        int length;
        if (errorString(code, text, &length) != 0) return "MPI_Error_string does not know this code";
        return Encoding.ASCII.GetString(text, Math.Clamp(length, 0, MaxErrorString)).Trim();
    }
}

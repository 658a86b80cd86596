using System.Runtime.InteropServices;

namespace InsightFace.Engine.Distributed;

/// <summary>
/// The predefined MPI handles the collectives name, in the loaded library's ABI. MPICH's are <c>int</c> constants
/// from its <c>mpi.h</c> and its MPI_IN_PLACE is <c>(void*)-1</c>; Open MPI's are the addresses of its globals
/// (<c>ompi_mpi_comm_world</c>, …) and its MPI_IN_PLACE is <c>(void*)1</c>.
/// </summary>
/// <remarks>
/// Every handle travels as a pointer-sized integer. Where MPICH's C signature takes an <c>int</c>, that is exact on
/// linux-x64 (the only target): an <c>int</c> argument occupies a whole register or 8-byte stack slot whose low
/// half the callee reads, and MPICH's constants are positive, so the upper half is zero.
/// </remarks>
internal sealed record MpiHandles(
    nint CommWorld, nint ErrorsReturn, nint InPlace, nint Sum, nint Max,
    nint Float, nint Double, nint Int32, nint Int64, nint UInt8, nint UInt16)
{
    /// <summary>MPICH 4.x (and its ABI relatives): the values of MPICH 4.0.2's <c>mpi.h</c>.</summary>
    public static MpiHandles Mpich { get; } = new(
        CommWorld: 0x44000000, ErrorsReturn: 0x54000001, InPlace: -1, Sum: 0x58000003, Max: 0x58000001,
        Float: 0x4c00040a, Double: 0x4c00080b, Int32: 0x4c000439, Int64: 0x4c00083a, UInt8: 0x4c00013b, UInt16: 0x4c00023c);

    /// <summary>The handles of the MPI in <paramref name="library"/>: Open MPI's when it exports them, else MPICH's.</summary>
    public static MpiHandles Of(nint library) =>
        NativeLibrary.TryGetExport(library, "ompi_mpi_comm_world", out _) ? OpenMpi(library) : Mpich;

    private static MpiHandles OpenMpi(nint library)
    {
        nint Global(string name) => NativeLibrary.GetExport(library, name);
        return new(
            CommWorld: Global("ompi_mpi_comm_world"), ErrorsReturn: Global("ompi_mpi_errors_return"), InPlace: 1,
            Sum: Global("ompi_mpi_op_sum"), Max: Global("ompi_mpi_op_max"),
            Float: Global("ompi_mpi_float"), Double: Global("ompi_mpi_double"), Int32: Global("ompi_mpi_int32_t"),
            Int64: Global("ompi_mpi_int64_t"), UInt8: Global("ompi_mpi_uint8_t"), UInt16: Global("ompi_mpi_uint16_t"));
    }
}

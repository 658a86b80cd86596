namespace InsightFace.Engine.Distributed.Nccl;

// The values of NCCL's C enums, as nccl.h declares them (NVIDIA/nccl src/nccl.h.in: ncclResult_t, ncclRedOp_t,
// ncclDataType_t). They are part of NCCL's ABI and have not changed since NCCL 2.10 added ncclBfloat16.
// tests/gpu/nccl_check.py reads this file and compares every value with the nccl.h of the installed NCCL.

/// <summary>ncclResult_t: what every NCCL call returns.</summary>
internal enum NcclResult
{
    Success = 0,
    UnhandledCudaError = 1,
    SystemError = 2,
    InternalError = 3,
    InvalidArgument = 4,
    InvalidUsage = 5,
    RemoteError = 6,
    InProgress = 7,
    Timeout = 8,
}

/// <summary>ncclRedOp_t: the built-in reductions (only those <see cref="ReduceOp"/> needs).</summary>
internal enum NcclRedOp
{
    Sum = 0,
    Max = 2,
}

/// <summary>ncclDataType_t: the element types (only those a TorchSharp tensor can hand over).</summary>
internal enum NcclDataType
{
    Uint8 = 1,
    Int32 = 2,
    Int64 = 4,
    Float16 = 6,
    Float32 = 7,
    Float64 = 8,
    Bfloat16 = 9,
}

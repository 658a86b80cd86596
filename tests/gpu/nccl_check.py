#!/usr/bin/env python3
"""Checks, on a machine with NVIDIA GPUs, what the engine's NCCL binding assumes about NCCL.

The engine (src/InsightFace.Engine/Distributed/Nccl) cannot run here without a .NET SDK and a CUDA build of
TorchSharp, so this script drives the same NCCL functions through ctypes, with the constants read from our C#
source, the same calling sequence and the same way of choosing the GPU:

  1. our enum values and the id size equal those of the installed nccl.h;
  2. an NCCL unique id of 128 bytes passed by value creates a communicator (ncclCommInitRank);
  3. making a device's primary context current through the driver API (libcuda.so.1, as CudaDriver does)
     is the device NCCL binds the communicator to (ncclCommCuDevice);
  4. all-reduce (sum, max), all-gather, reduce-scatter and broadcast give the hand-computed result for every
     element type we map, on the legacy default stream (stream 0), ordered with PyTorch's own kernels without
     any synchronisation in between; world size 1, and every GPU (up to 4) as one rank each when there are more;
  5. ncclCommGetAsyncError, ncclCommDestroy and ncclCommAbort succeed.

Exit codes: 0 all checks passed, 1 a check failed, 2 something needed is missing (the message says what).
Run from anywhere: python3 tests/gpu/nccl_check.py
"""
import ctypes
import glob
import os
import re
import shutil
import subprocess
import sys
import threading

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
NCCL_SOURCE = os.path.join(REPO, "src", "InsightFace.Engine", "Distributed", "Nccl")
MAX_RANKS = 4
failures = []


def say(message):
    print(message, flush=True)


def missing(message):
    say(f"MISSING: {message}")
    sys.exit(2)


def check(condition, message):
    say(("ok    " if condition else "FAIL  ") + message)
    if not condition:
        failures.append(message)


# ---------------------------------------------------------------------------------------------- our constants

def read_csharp_enums():
    """The members of NcclResult, NcclRedOp and NcclDataType as NcclEnums.cs declares them."""
    text = open(os.path.join(NCCL_SOURCE, "NcclEnums.cs")).read()
    enums = {}
    for name, body in re.findall(r"enum\s+(\w+)\s*\{([^}]*)\}", text):
        enums[name] = {m: int(v) for m, v in re.findall(r"(\w+)\s*=\s*(\d+)", body)}
    id_size = int(re.search(r"public const int Size = (\d+);",
                            open(os.path.join(NCCL_SOURCE, "NcclUniqueId.cs")).read()).group(1))
    return enums, id_size


# -------------------------------------------------------------------------------------------------- probes

def probe():
    if shutil.which("nvidia-smi") is None:
        missing("nvidia-smi is not on the PATH: no NVIDIA driver, so no GPU to check.")
    smi = subprocess.run(["nvidia-smi", "-L"], capture_output=True, text=True)
    if smi.returncode != 0 or "GPU" not in smi.stdout:
        missing(f"nvidia-smi lists no GPU: {smi.stdout.strip()} {smi.stderr.strip()}")
    say("GPUs:\n  " + smi.stdout.strip().replace("\n", "\n  "))
    try:
        import torch
    except ImportError:
        missing("PyTorch is not installed; the check allocates its CUDA tensors with it (pip install torch).")
    if not torch.cuda.is_available():
        missing("PyTorch sees no CUDA device.")
    say(f"PyTorch {torch.__version__}, CUDA {torch.version.cuda}, {torch.cuda.device_count()} device(s)")
    try:
        cuda = ctypes.CDLL("libcuda.so.1")
    except OSError as e:
        missing(f"libcuda.so.1 (the driver API, which CudaDriver binds) does not load: {e}")
    path = find_nccl()
    if path is None:
        missing("libnccl.so.2 was found neither on the loader's path nor in PyTorch's process "
                "(pip install nvidia-nccl-cu12, or NVIDIA's libnccl2 package).")
    say(f"NCCL: {path}")
    report_libtorch_cuda(torch)
    report_dotnet()
    return torch, cuda, ctypes.CDLL(path), path


def find_nccl():
    """The libnccl.so.2 the loader finds by name (as NcclApi loads it), else the copy PyTorch's import loaded."""
    try:
        ctypes.CDLL("libnccl.so.2")
    except OSError:
        pass
    for line in open("/proc/self/maps"):
        if re.search(r"/libnccl\.so[.\d]*$", line.rstrip()):
            return line.split()[-1]
    for folder in sys.path:
        for match in glob.glob(os.path.join(folder, "nvidia", "**", "libnccl.so*"), recursive=True):
            return match
    return None


def report_libtorch_cuda(torch):
    """Whether this PyTorch's libtorch_cuda.so exports NCCL: only a hint for NcclApi's unverified fallback, since
    TorchSharp's libtorch 2.10 is another build (PyTorch's wheels link NCCL dynamically)."""
    library = os.path.join(os.path.dirname(torch.__file__), "lib", "libtorch_cuda.so")
    if not os.path.exists(library) or shutil.which("nm") is None:
        say("info  libtorch_cuda.so or nm not found: the libtorch_cuda.so fallback stays unchecked")
        return
    symbols = subprocess.run(["nm", "-D", "--defined-only", library], capture_output=True, text=True).stdout
    exported = sorted(set(re.findall(r" T (ncclGetUniqueId|ncclCommInitRank|ncclAllReduce)\b", symbols)))
    say(f"info  this PyTorch's libtorch_cuda.so exports {exported or 'no nccl* symbols'} "
        "(TorchSharp's libtorch_cuda.so is another build; check it with nm -D there)")


def report_dotnet():
    dotnet = shutil.which("dotnet")
    say("info  " + ("dotnet found: the engine's own tests could run here" if dotnet else
                    "no .NET SDK: the engine itself is not run; this checks NCCL against our constants and ABI"))


# ----------------------------------------------------------------------------------------------- nccl.h

def find_header(library):
    folder = os.path.dirname(library)
    candidates = [os.path.join(folder, "..", "include", "nccl.h"), "/usr/include/nccl.h", "/usr/local/cuda/include/nccl.h"]
    candidates += glob.glob(os.path.join(folder, "..", "**", "nccl.h"), recursive=True)
    return next((os.path.abspath(c) for c in candidates if os.path.exists(c)), None)


def compare_with_header(library, enums, id_size):
    header = find_header(library)
    if header is None:
        say("info  no nccl.h next to the library: the values are checked by behaviour only")
        return
    text = open(header).read()
    values = {m: int(v) for m, v in re.findall(r"\b(nccl[A-Z]\w*)\s*=\s*(\d+)", text)}
    size = int(re.search(r"#define NCCL_UNIQUE_ID_BYTES (\d+)", text).group(1))
    check(size == id_size, f"NCCL_UNIQUE_ID_BYTES in {header} is {size}; NcclUniqueId.Size is {id_size}")
    for enum, members in enums.items():
        for member, value in members.items():
            c_name = "nccl" + member
            if c_name not in values:
                say(f"info  {c_name} is not in this nccl.h (an older NCCL): {enum}.{member} unchecked")
                continue
            check(values[c_name] == value, f"{enum}.{member} = {value}; nccl.h says {c_name} = {values[c_name]}")


# ----------------------------------------------------------------------------------------------- binding

class UniqueId(ctypes.Structure):
    _fields_ = [("internal", ctypes.c_ubyte * 128)]


def bind(nccl):
    p, i, z = ctypes.c_void_p, ctypes.c_int, ctypes.c_size_t
    nccl.ncclGetVersion.argtypes = [ctypes.POINTER(i)]
    nccl.ncclGetUniqueId.argtypes = [ctypes.POINTER(UniqueId)]
    nccl.ncclCommInitRank.argtypes = [ctypes.POINTER(p), i, UniqueId, i]  # the id by value, as NcclApi passes it
    nccl.ncclAllReduce.argtypes = [p, p, z, i, i, p, p]
    nccl.ncclAllGather.argtypes = [p, p, z, i, p, p]
    nccl.ncclReduceScatter.argtypes = [p, p, z, i, i, p, p]
    nccl.ncclBroadcast.argtypes = [p, p, z, i, i, p, p]
    nccl.ncclCommGetAsyncError.argtypes = [p, ctypes.POINTER(i)]
    nccl.ncclCommCuDevice.argtypes = [p, ctypes.POINTER(i)]
    nccl.ncclCommDestroy.argtypes = [p]
    nccl.ncclCommAbort.argtypes = [p]
    nccl.ncclGetErrorString.argtypes = [i]
    nccl.ncclGetErrorString.restype = ctypes.c_char_p


def call(nccl, name, *args):
    result = getattr(nccl, name)(*args)
    if result != 0:
        raise RuntimeError(f"{name} returned {result}: {nccl.ncclGetErrorString(result).decode()}")


def make_current(cuda, ordinal):
    """CudaDriver.MakeCurrent: cuInit, cuDeviceGet, cuDevicePrimaryCtxRetain, cuCtxSetCurrent."""
    device, context = ctypes.c_int(), ctypes.c_void_p()
    for name, args in [("cuInit", (0,)), ("cuDeviceGet", (ctypes.byref(device), ordinal))]:
        assert getattr(cuda, name)(*args) == 0, name
    assert cuda.cuDevicePrimaryCtxRetain(ctypes.byref(context), device) == 0, "cuDevicePrimaryCtxRetain"
    assert cuda.cuCtxSetCurrent(context) == 0, "cuCtxSetCurrent"


# ----------------------------------------------------------------------------------------------- the job

def run_rank(torch, cuda, nccl, enums, rank, world, uid, barrier, results):
    make_current(cuda, rank)
    types, ops = enums["NcclDataType"], enums["NcclRedOp"]
    dtypes = {"Float32": torch.float32, "Float64": torch.float64, "Float16": torch.float16, "Bfloat16": torch.bfloat16,
              "Int32": torch.int32, "Int64": torch.int64, "Uint8": torch.uint8}
    device = torch.device("cuda", rank)
    comm = ctypes.c_void_p()
    call(nccl, "ncclCommInitRank", ctypes.byref(comm), world, uid, rank)
    bound = ctypes.c_int(-1)
    call(nccl, "ncclCommCuDevice", comm, ctypes.byref(bound))
    out = {"device": bound.value, "stream": torch.cuda.current_stream(device).cuda_stream}
    stream0 = None  # cudaStream_t 0, as NcclCollectives passes

    def address(t):
        # NcclBuffer's formula: the storage's base plus storage_offset elements, which must be PyTorch's own address.
        pointer = t.untyped_storage().data_ptr() + t.storage_offset() * t.element_size()
        assert t.is_contiguous() and pointer == t.data_ptr(), "storage base + offset is not the tensor's address"
        return pointer

    for name, dtype in dtypes.items():
        code = types[name]
        # All-reduce in place on a view at offset 1; rank r holds [r+1, 10-3r, 2].
        whole = torch.zeros(4, dtype=torch.float64, device=device)
        whole[1:] = torch.tensor([rank + 1, 10 - 3 * rank, 2], dtype=torch.float64, device=device)
        whole = whole.to(dtype)
        view = whole[1:]
        sum_, max_ = view.clone(), view.clone()
        call(nccl, "ncclAllReduce", address(sum_), address(sum_), sum_.numel(), code, ops["Sum"], comm, stream0)
        call(nccl, "ncclAllReduce", address(max_), address(max_), max_.numel(), code, ops["Max"], comm, stream0)
        call(nccl, "ncclAllReduce", address(view), address(view), view.numel(), code, ops["Sum"], comm, stream0)
        # All-gather of [[r, 2r], [10r, 1]] into a new tensor.
        local = torch.tensor([[rank, 2 * rank], [10 * rank, 1]], dtype=dtype, device=device)
        gathered = torch.empty(2 * world, 2, dtype=dtype, device=device)
        call(nccl, "ncclAllGather", address(local), address(gathered), local.numel(), code, comm, stream0)
        # Reduce-scatter of rows (r+1)·[i, 2i] for i < 2·world: block r of the sum.
        rows = torch.arange(2 * world, dtype=torch.float64, device=device).unsqueeze(1) * torch.tensor([1.0, 2.0], device=device)
        scatter_in = (rows * (rank + 1)).to(dtype)
        block = torch.empty(2, 2, dtype=dtype, device=device)
        call(nccl, "ncclReduceScatter", address(scatter_in), address(block), block.numel(), code, ops["Sum"], comm, stream0)
        # Broadcast in place from the last rank.
        b = torch.tensor([rank, 7 * rank], dtype=dtype, device=device)
        call(nccl, "ncclBroadcast", address(b), address(b), b.numel(), code, world - 1, comm, stream0)
        # Stream 0 orders NCCL between PyTorch's kernels: double the sum on the GPU without synchronising first.
        doubled = sum_ * 2
        out[name] = [x.to(torch.float64).cpu() for x in (sum_, max_, whole, gathered, block, b, doubled)]
        barrier.wait()

    error = ctypes.c_int(-1)
    call(nccl, "ncclCommGetAsyncError", comm, ctypes.byref(error))
    out["async"] = error.value
    call(nccl, "ncclCommDestroy", comm)
    results[rank] = out


def expected(torch, world, rank):
    f = lambda v: torch.tensor(v, dtype=torch.float64)
    ranks = range(world)
    sum_ = f([sum(r + 1 for r in ranks), sum(10 - 3 * r for r in ranks), 2 * world])
    max_ = f([world, 10, 2])
    whole = torch.cat([f([0]), sum_])
    gathered = f([row for r in ranks for row in ([r, 2 * r], [10 * r, 1])])
    total = sum(r + 1 for r in ranks)
    block = f([[i * total, 2 * i * total] for i in (2 * rank, 2 * rank + 1)])
    b = f([world - 1, 7 * (world - 1)])
    return [sum_, max_, whole, gathered, block, b, sum_ * 2]


def run_job(torch, cuda, nccl, enums, world):
    say(f"-- world size {world}")
    uid = UniqueId()
    call(nccl, "ncclGetUniqueId", ctypes.byref(uid))
    check(ctypes.sizeof(uid) == 128 and any(bytes(uid)), "ncclGetUniqueId filled a 128-byte id")
    barrier, results = threading.Barrier(world), [None] * world
    errors = []

    def body(rank):
        try:
            run_rank(torch, cuda, nccl, enums, rank, world, uid, barrier, results)
        except Exception as e:  # reported below, with the rank
            errors.append(f"rank {rank}: {e!r}")
            barrier.abort()

    threads = [threading.Thread(target=body, args=(r,)) for r in range(world)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=300)
    check(not errors and all(not t.is_alive() for t in threads), f"every rank finished ({'; '.join(errors) or 'no error'})")
    if errors:
        return
    names = ["all-reduce sum", "all-reduce max", "all-reduce of a view at offset 1", "all-gather", "reduce-scatter",
             "broadcast from the last rank", "a PyTorch kernel after NCCL on stream 0, no sync"]
    for rank, out in enumerate(results):
        check(out["device"] == rank, f"rank {rank}: the communicator is on cuda:{out['device']}, the device made current through the driver API")
        check(out["stream"] == 0, f"rank {rank}: PyTorch's current stream is the legacy default stream (cudaStream_t {out['stream']})")
        check(out["async"] == 0, f"rank {rank}: ncclCommGetAsyncError reports {out['async']}")
        want = expected(torch, world, rank)
        for name in enums["NcclDataType"]:
            for label, got, w in zip(names, out[name], want):
                check(torch.equal(got, w), f"rank {rank}, {name}: {label}" + ("" if torch.equal(got, w) else f": got {got.tolist()}, want {w.tolist()}"))


def abort_check(cuda, nccl):
    make_current(cuda, 0)
    uid, comm = UniqueId(), ctypes.c_void_p()
    call(nccl, "ncclGetUniqueId", ctypes.byref(uid))
    call(nccl, "ncclCommInitRank", ctypes.byref(comm), 1, uid, 0)
    result = nccl.ncclCommAbort(comm)
    check(result == 0, f"ncclCommAbort returns ncclSuccess ({result})")


def main():
    enums, id_size = read_csharp_enums()
    say(f"our constants: {enums}, id {id_size} bytes")
    torch, cuda, nccl, path = probe()
    bind(nccl)
    version = ctypes.c_int()
    call(nccl, "ncclGetVersion", ctypes.byref(version))
    say(f"NCCL version code {version.value}")
    compare_with_header(path, enums, id_size)
    for result, value in enums["NcclResult"].items():
        text = nccl.ncclGetErrorString(value).decode()
        say(f"info  ncclGetErrorString({value}) = {text!r} (NcclResult.{result})")
    run_job(torch, cuda, nccl, enums, 1)
    gpus = min(torch.cuda.device_count(), MAX_RANKS)
    if gpus >= 2:
        run_job(torch, cuda, nccl, enums, gpus)
    else:
        say("info  one GPU: NCCL refuses two ranks on one device, so sums over ranks and the device choice of "
            "ranks above 0 are checked only on a machine with two GPUs or more")
    abort_check(cuda, nccl)
    say(f"\n{len(failures)} check(s) failed" if failures else "\nall checks passed")
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()

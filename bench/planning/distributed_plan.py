#!/usr/bin/env python3
"""Prints the planning tables of docs/usage/distributed.md: per-GPU memory of Partial FC and per-step communication.

    python3 bench/planning/distributed_plan.py [batch per GPU (default 128) [sample_rate (default 0.2)]]

Everything is worked out from the formulas in docs/usage/distributed.md ("Planning"); nothing is measured. fp32
everywhere (the engine has no fp16 yet), D = 512, SGD with momentum. GB = 1e9 bytes, MB = 1e6 bytes, kB = 1e3 bytes.
"""
import sys

D = 512                      # embedding size
FP32 = 4                     # bytes per float32
INT64 = 8                    # bytes per label
LIVE_LOGIT_COPIES = 3        # logits, exp/softmax, their gradient (arcface_torch's estimate)
HEAD_COPIES = 3              # centres, their gradient, their momentum (SGD)
WORLDS = (8, 32, 64)
DATASETS = (("MS1MV3", 93_431), ("Glint360K", 360_232), ("WebFace42M", 2_059_906), ("10M ids", 10_000_000))

# Parameters as Get-FaceBackbone (BackboneRegistry.Describe) counts them at E = 512. One of them, the 512 scales of
# the IResNet's final BatchNorm ("features"), is frozen as in arcface_torch: it has no gradient to all-reduce.
PARAMETERS = {"r50": 43_590_848, "r100": 65_156_160}
FROZEN = 512

BANDWIDTHS = (("NVLink-class, 100 GB/s", 100e9), ("100 Gb/s Ethernet, 11 GB/s", 11e9))

# The one published per-step time to set these against: arcface_torch docs/speed_benchmark.md, r50, fp16,
# 8 x V100, 128 per GPU, 3M identities, Partial FC 0.1: 5,300 samples/s, so 1,024 / 5,300 s per step.
REFERENCE_STEP_S = 1024 / 5300


def shard_rows(classes, world):
    """Rows of the largest shard: C div W, plus one for the first C mod W ranks."""
    return classes // world + (1 if classes % world else 0)


def sampled_rows(rows, sample_rate):
    """int(sample_rate x local classes), as PartialFC.NumSample; the positives win when they are more."""
    return int(sample_rate * rows)


def gb(n):
    return f"{n / 1e9:,.2f}"


def kb(n):
    return f"{n / 1e3:,.1f}"


def mb(n):
    return f"{n / 1e6:,.1f}"


def ms(seconds):
    return f"{seconds * 1e3:,.2f}"


def memory_table(batch, sample_rate):
    print(f"Per GPU, batch {batch} per GPU, sample_rate {sample_rate}, D = {D}, fp32:\n")
    print("| dataset | C | GPUs | B = b·W | rows per shard | sampled rows | head: weight + grad + momentum (GB) "
          "| logits, one copy (GB) | logits ×3 (GB) | head + logits ×3 (GB) |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for name, classes in DATASETS:
        for world in WORLDS:
            rows = shard_rows(classes, world)
            k = sampled_rows(rows, sample_rate)
            global_batch = batch * world
            head = HEAD_COPIES * rows * D * FP32
            logits = global_batch * k * FP32
            print(f"| {name} | {classes:,} | {world} | {global_batch:,} | {rows:,} | {k:,} | {gb(head)} | {gb(logits)} "
                  f"| {gb(LIVE_LOGIT_COPIES * logits)} | {gb(head + LIVE_LOGIT_COPIES * logits)} |")
    print()


def backbone_table():
    print("Backbone, the same on every GPU (fp32):\n")
    print("| network | parameters | gradients all-reduced | all-reduce bytes per step (MB) "
          "| weights + grad + momentum (GB) |")
    print("|---|---:|---:|---:|---:|")
    for network, parameters in PARAMETERS.items():
        reduced = parameters - FROZEN
        print(f"| {network} | {parameters:,} | {reduced:,} | {mb(reduced * FP32)} | {gb(3 * parameters * FP32)} |")
    print()


def communication_table(batch):
    print(f"Communication per step and GPU, batch {batch} per GPU (ring algorithms; bytes each GPU sends):\n")
    header = ["GPUs", "B", "all-gather: embeddings + labels (MB)", "reduce-scatter: embedding gradients (MB)",
              "softmax all-reduces (kB)"]
    header += [f"{network} gradient all-reduce (MB)" for network in PARAMETERS]
    print("| " + " | ".join(header) + " |")
    print("|" + "---:|" * len(header))
    for world in WORLDS:
        traffic = step_traffic(batch, world)
        cells = [f"{world}", f"{batch * world:,}", mb(traffic["all-gather"]), mb(traffic["reduce-scatter"]),
                 kb(traffic["softmax"])] + [mb(traffic[network]) for network in PARAMETERS]
        print("| " + " | ".join(cells) + " |")
    print()

    print("Time of that traffic per step (bytes sent / bus bandwidth). The last column sets r50's total against the "
          f"published r50 step ({ms(REFERENCE_STEP_S)} ms, see below), as a share of the step when nothing overlaps:\n")
    header = ["GPUs", "link"] + [f"{network} gradients (ms)" for network in PARAMETERS]
    header += ["Partial FC collectives (ms)", "r50 total (ms)", "r50: share of the step"]
    print("| " + " | ".join(header) + " |")
    print("|---:|---|" + "---:|" * (len(header) - 2))
    for world in WORLDS:
        traffic = step_traffic(batch, world)
        head = traffic["all-gather"] + traffic["reduce-scatter"] + traffic["softmax"]
        for link, bandwidth in BANDWIDTHS:
            total = (traffic["r50"] + head) / bandwidth
            cells = [f"{world}", link] + [ms(traffic[network] / bandwidth) for network in PARAMETERS]
            cells += [ms(head / bandwidth), ms(total), f"{100 * total / (REFERENCE_STEP_S + total):.0f}%"]
            print("| " + " | ".join(cells) + " |")
    print()


def step_traffic(batch, world):
    """Bytes each GPU sends per step. Ring all-reduce: 2(W-1)/W x size; all-gather and reduce-scatter: (W-1)/W x
    the size of the whole (gathered, or scattered) tensor."""
    global_batch = batch * world
    ring = (world - 1) / world
    traffic = {
        "all-gather": ring * global_batch * (D * FP32 + INT64),
        "reduce-scatter": ring * global_batch * D * FP32,
        # max, sum of exponentials and target logit: one float per sample of the global batch each
        "softmax": 2 * ring * 3 * global_batch * FP32,
    }
    for network, parameters in PARAMETERS.items():
        traffic[network] = 2 * ring * (parameters - FROZEN) * FP32
    return traffic


def main():
    batch = int(sys.argv[1]) if len(sys.argv) > 1 else 128
    sample_rate = float(sys.argv[2]) if len(sys.argv) > 2 else 0.2
    memory_table(batch, sample_rate)
    backbone_table()
    communication_table(batch)


if __name__ == "__main__":
    main()

"""The PyTorch side of TrainingBench (Program.cs starts it): arcface_torch's train_v2 step on the same batches.

    /usr/bin/python3 training_bench.py <network> <batches.bin> <batch size> <batches> <num_classes> <contiguous|channels_last>

batches.bin holds, per batch, the float32 NCHW images and then the int64 labels, exactly as the engine's
TrainingLoader produced them. The step is train_v2.py's at world size 1: backbone, PartialFC_V2 at sample_rate 1
(normalised embeddings and centres, ArcFace margin (1, 0.5, 0) with the true gradient, s = 64, cross-entropy),
backward, clip_grad_norm_(5) on the backbone, SGD (momentum 0.9, weight decay 5e-4) over backbone and centres.
In channels_last the backbone and every batch (inside the timed step, as the engine converts its batches) are laid
out NHWC, as `model.to(memory_format=torch.channels_last)` does. The first batch is a warm-up; prints the samples per second of the fastest of the others, and their mean.
"""
import math
import os
import sys
import time

import numpy
import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from arcface_nets import get_model  # noqa: E402


def main():
    name, path, batch, batches, num_classes = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])
    memory_format = {"contiguous": torch.contiguous_format, "channels_last": torch.channels_last}[sys.argv[6]]
    torch.set_num_threads(2)
    torch.manual_seed(1)
    image_floats = batch * 3 * 112 * 112
    raw = numpy.fromfile(path, dtype=numpy.uint8)
    record = image_floats * 4 + batch * 8
    data = []
    for b in range(batches):
        chunk = raw[b * record:(b + 1) * record]
        images = torch.from_numpy(chunk[:image_floats * 4].view(numpy.float32).reshape(batch, 3, 112, 112).copy())
        labels = torch.from_numpy(chunk[image_floats * 4:].view(numpy.int64).copy())
        data.append((images, labels))

    backbone = get_model(name).train().to(memory_format=memory_format)
    centres = torch.nn.Parameter(torch.normal(0, 0.01, (num_classes, 512)))
    optimizer = torch.optim.SGD([{"params": backbone.parameters()}, {"params": [centres]}], lr=0.1, momentum=0.9, weight_decay=5e-4)
    scale, margin = 64.0, 0.5

    def step(images, labels):
        embeddings = backbone(images.contiguous(memory_format=memory_format))
        logits = F.linear(F.normalize(embeddings), F.normalize(centres)).clamp(-1, 1)
        rows = torch.arange(batch)
        # ArcFace with the true gradient: cos(theta + m) for the target, through autograd.
        target = torch.cos(torch.acos(logits[rows, labels].clamp(-1 + 1e-7, 1 - 1e-7)) + margin)
        logits = logits.index_put((rows, labels), target)
        loss = F.cross_entropy(logits * scale, labels)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(backbone.parameters(), 5)
        optimizer.step()
        optimizer.zero_grad()
        return loss.item()

    step(*data[0])
    seconds = []
    for images, labels in data[1:]:
        start = time.perf_counter()
        loss = step(images, labels)
        seconds.append(time.perf_counter() - start)
        if not math.isfinite(loss):
            raise SystemExit(f"loss {loss}")
    print(f"{batch / min(seconds):.3f} {batch * len(seconds) / sum(seconds):.3f}")


if __name__ == "__main__":
    main()

"""One PyTorch measurement for BackboneBench (Program.cs starts it): a network, a mode, the input file, a count,
a memory layout and a batch size.

    /usr/bin/python3 backbone_bench.py <r18|r50|mbf|...> <infer|train> <input.f32> <iterations> <contiguous|channels_last> <batch>

Prints one line: "<images per second, fastest iteration> <images per second, mean> <peak RSS in MB>". The batch is the float32 NCHW file the C# side wrote,
so both frameworks see the same inputs. Python's torch defaults to one thread here; the benchmark uses two.
"""
import os
import resource
import sys
import time

import numpy
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from arcface_nets import get_model  # noqa: E402



def main():
    name, mode, input_path, iterations = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
    layout, batch = sys.argv[5], int(sys.argv[6])
    memory_format = {"contiguous": torch.contiguous_format, "channels_last": torch.channels_last}[layout]
    torch.set_num_threads(2)
    torch.manual_seed(1)
    images = torch.from_numpy(numpy.fromfile(input_path, dtype=numpy.float32).reshape(batch, 3, 112, 112))
    images = images.contiguous(memory_format=memory_format)
    model = get_model(name).to(memory_format=memory_format)
    if mode == "infer":
        model.eval()

        def step():
            with torch.no_grad():
                model(images)
    else:
        model.train()
        optimizer = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9, weight_decay=5e-4)

        def step():
            loss = model(images).pow(2).mean()
            loss.backward()
            optimizer.step()
            optimizer.zero_grad()

    step()  # warm-up: allocator and one-time kernel setup
    seconds = []
    for _ in range(iterations):
        start = time.perf_counter()
        step()
        seconds.append(time.perf_counter() - start)
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"{batch / min(seconds):.3f} {batch * iterations / sum(seconds):.3f} {peak_mb:.0f}")


if __name__ == "__main__":
    main()

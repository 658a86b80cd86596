"""Writes the small .pth fixtures the PyTorch import tests read, with the real torch.save.

Run with Debian's PyTorch (python3-torch 1.13):  /usr/bin/python3 make_pth_fixtures.py
The tests do not need Python; they read the files this writes, which are committed beside it.

tiny_iresnet.pth         zip format: a 2-block IResNet with arcface_torch's iresnet.py module names
                         (conv1, bn1, prelu, layer1.N.{bn1,conv1,bn2,prelu,conv2,bn3,downsample.0/1}, bn2, fc,
                         features), widths shrunk so the file stays small. Element j of the i-th state_dict entry
                         is ((7i + 3j) mod 17 - 8)/16, running variances (1 + (i + j) mod 5)/64, and
                         num_batches_tracked of entry i is i: all exact in float32.
tiny_iresnet_legacy.pth  the same state dict in the legacy format (_use_new_zipfile_serialization=False).
tiny_iresnet_output.json the eval-mode output of that network for input x[n,c,h,w] = sin(n*1000 + c*100 + h*10 + w).
views.pth                tensors that are views: a transpose (non-contiguous strides) and a slice at a storage offset,
                         sharing one storage, plus a float16 and a 0-dim int64 tensor.
checkpoint.pth           a dict holding a state dict under 'state_dict_backbone', as arcface_torch's checkpoint_gpu_N.pt.
scripted.pt              a TorchScript archive (torch.jit.save), which is not a state dict.
"""
import json
import math
import os

import torch
from torch import nn


class IBasicBlock(nn.Module):
    def __init__(self, inplanes, planes, stride=1, downsample=None):
        super().__init__()
        self.bn1 = nn.BatchNorm2d(inplanes, eps=1e-05)
        self.conv1 = nn.Conv2d(inplanes, planes, 3, 1, 1, bias=False)
        self.bn2 = nn.BatchNorm2d(planes, eps=1e-05)
        self.prelu = nn.PReLU(planes)
        self.conv2 = nn.Conv2d(planes, planes, 3, stride, 1, bias=False)
        self.bn3 = nn.BatchNorm2d(planes, eps=1e-05)
        self.downsample = downsample

    def forward(self, x):
        identity = x
        out = self.bn3(self.conv2(self.prelu(self.bn2(self.conv1(self.bn1(x))))))
        if self.downsample is not None:
            identity = self.downsample(x)
        return out + identity


class TinyIResNet(nn.Module):
    def __init__(self, width=4, embedding=6, size=4):
        super().__init__()
        self.conv1 = nn.Conv2d(3, width, 3, 1, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(width, eps=1e-05)
        self.prelu = nn.PReLU(width)
        downsample = nn.Sequential(nn.Conv2d(width, width, 1, 2, bias=False), nn.BatchNorm2d(width, eps=1e-05))
        self.layer1 = nn.Sequential(IBasicBlock(width, width, 2, downsample), IBasicBlock(width, width))
        self.bn2 = nn.BatchNorm2d(width, eps=1e-05)
        self.dropout = nn.Dropout(p=0.0)
        self.fc = nn.Linear(width * (size // 2) ** 2, embedding)
        self.features = nn.BatchNorm1d(embedding, eps=1e-05)

    def forward(self, x):
        x = self.layer1(self.prelu(self.bn1(self.conv1(x))))
        x = self.dropout(torch.flatten(self.bn2(x), 1))
        return self.features(self.fc(x))


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    torch.manual_seed(0)
    net = TinyIResNet()
    with torch.no_grad():
        for i, (key, tensor) in enumerate(net.state_dict().items()):
            if key.endswith("num_batches_tracked"):
                tensor.fill_(i)
                continue
            j = torch.arange(tensor.numel())
            if key.endswith("running_var"):
                values = (1 + (i + j) % 5) / 64
            else:
                values = ((i * 7 + j * 3) % 17 - 8) / 16
            tensor.copy_(values.float().reshape(tensor.shape))
    net.eval()
    torch.save(net.state_dict(), os.path.join(here, "tiny_iresnet.pth"))
    torch.save(net.state_dict(), os.path.join(here, "tiny_iresnet_legacy.pth"), _use_new_zipfile_serialization=False)

    index = torch.arange(2 * 3 * 4 * 4).reshape(2, 3, 4, 4)
    n, c, h, w = (index // 48, index // 16 % 3, index // 4 % 4, index % 4)
    x = torch.sin((n * 1000 + c * 100 + h * 10 + w).double()).float()
    with torch.no_grad():
        out = net(x)
    with open(os.path.join(here, "tiny_iresnet_output.json"), "w") as f:
        json.dump({"shape": list(out.shape), "values": [float(v) for v in out.flatten()]}, f)

    base = torch.arange(12, dtype=torch.float32)
    views = {
        "transposed": base.reshape(3, 4).t(),
        "slice": base[5:9],
        "half": torch.tensor([0.5, -2.0, 65504.0], dtype=torch.float16),
        "count": torch.tensor(7, dtype=torch.int64),
    }
    torch.save(views, os.path.join(here, "views.pth"))

    checkpoint = {"epoch": 3, "state_dict_backbone": {"fc.bias": torch.tensor([1.0, 2.0])}}
    torch.save(checkpoint, os.path.join(here, "checkpoint.pth"))

    torch.jit.save(torch.jit.script(nn.Linear(2, 2)), os.path.join(here, "scripted.pt"))


if __name__ == "__main__":
    main()

#!/usr/bin/python3
"""Golden files for the backbone tests, computed by PyTorch from networks laid out as arcface_torch's.

Writes (or, with --check, compares against) tests/InsightFace.Engine.Tests/Backbones/Golden/:
  {r18,mbf,mbf_large}.keys.txt  state_dict keys and shapes at embedding size 512 (StateDictKeyTests)
  {r18,mbf}.forward.txt         float64 eval-mode embeddings of two images at embedding size 16 (ForwardParityTests)

The networks below are written for this project from the structure of arcface_torch's backbones/iresnet.py and
backbones/mobilefacenet.py (module names, layer order, kernel sizes, strides, groups, eps), so that their
state_dict keys are arcface_torch's. Weights and input come from a formula both sides evaluate (see fill()).
Needs Debian's python3-torch (1.13) and python3-numpy.
"""
import argparse
import math
import os
import sys

import torch
from torch import nn

GOLDEN = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'InsightFace.Engine.Tests', 'Backbones', 'Golden')


# IResNet (arcface_torch backbones/iresnet.py): pre-activation basic blocks, 112x112 in, 7x7x512 before fc.

class IBasicBlock(nn.Module):
    def __init__(self, inplanes, planes, stride, downsample):
        super().__init__()
        self.bn1 = nn.BatchNorm2d(inplanes, eps=1e-5)
        self.conv1 = nn.Conv2d(inplanes, planes, 3, 1, 1, bias=False)
        self.bn2 = nn.BatchNorm2d(planes, eps=1e-5)
        self.prelu = nn.PReLU(planes)
        self.conv2 = nn.Conv2d(planes, planes, 3, stride, 1, bias=False)
        self.bn3 = nn.BatchNorm2d(planes, eps=1e-5)
        self.downsample = downsample

    def forward(self, x):
        out = self.bn3(self.conv2(self.prelu(self.bn2(self.conv1(self.bn1(x))))))
        return out + (x if self.downsample is None else self.downsample(x))


class IResNet(nn.Module):
    def __init__(self, layers, num_features):
        super().__init__()
        self.conv1 = nn.Conv2d(3, 64, 3, 1, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(64, eps=1e-5)
        self.prelu = nn.PReLU(64)
        inplanes = 64
        for index, (planes, blocks) in enumerate(zip((64, 128, 256, 512), layers), start=1):
            # Every stage halves the resolution; its first block has a 1x1 stride-2 projection.
            downsample = nn.Sequential(nn.Conv2d(inplanes, planes, 1, 2, bias=False), nn.BatchNorm2d(planes, eps=1e-5))
            stage = [IBasicBlock(inplanes, planes, 2, downsample)]
            stage += [IBasicBlock(planes, planes, 1, None) for _ in range(1, blocks)]
            setattr(self, f'layer{index}', nn.Sequential(*stage))
            inplanes = planes
        self.bn2 = nn.BatchNorm2d(512, eps=1e-5)
        self.dropout = nn.Dropout(p=0, inplace=True)
        self.fc = nn.Linear(512 * 7 * 7, num_features)
        self.features = nn.BatchNorm1d(num_features, eps=1e-5)

    def forward(self, x):
        x = self.prelu(self.bn1(self.conv1(x)))
        x = self.layer4(self.layer3(self.layer2(self.layer1(x))))
        x = self.dropout(torch.flatten(self.bn2(x), 1))
        return self.features(self.fc(x))


# MobileFaceNet (arcface_torch backbones/mobilefacenet.py): mbf is blocks (1, 4, 6, 2) at width scale 2,
# mbf_large blocks (2, 8, 12, 4) at scale 4.

class ConvBlock(nn.Module):
    def __init__(self, in_c, out_c, kernel=1, stride=1, padding=0, groups=1):
        super().__init__()
        self.layers = nn.Sequential(nn.Conv2d(in_c, out_c, kernel, stride, padding, groups=groups, bias=False),
                                    nn.BatchNorm2d(out_c), nn.PReLU(out_c))

    def forward(self, x):
        return self.layers(x)


class LinearBlock(nn.Module):
    def __init__(self, in_c, out_c, kernel=1, stride=1, padding=0, groups=1):
        super().__init__()
        self.layers = nn.Sequential(nn.Conv2d(in_c, out_c, kernel, stride, padding, groups=groups, bias=False),
                                    nn.BatchNorm2d(out_c))

    def forward(self, x):
        return self.layers(x)


class DepthWise(nn.Module):
    """1x1 expand to `groups` channels, depthwise 3x3, 1x1 project; optionally residual."""

    def __init__(self, in_c, out_c, residual, stride, groups):
        super().__init__()
        self.residual = residual
        self.layers = nn.Sequential(ConvBlock(in_c, groups), ConvBlock(groups, groups, 3, stride, 1, groups=groups),
                                    LinearBlock(groups, out_c))

    def forward(self, x):
        return x + self.layers(x) if self.residual else self.layers(x)


class Residual(nn.Module):
    def __init__(self, c, num_block, groups):
        super().__init__()
        self.layers = nn.Sequential(*[DepthWise(c, c, True, 1, groups) for _ in range(num_block)])

    def forward(self, x):
        return self.layers(x)


class GDC(nn.Module):
    def __init__(self, embedding_size):
        super().__init__()
        self.layers = nn.Sequential(LinearBlock(512, 512, 7, 1, 0, groups=512), nn.Flatten(),
                                    nn.Linear(512, embedding_size, bias=False), nn.BatchNorm1d(embedding_size))

    def forward(self, x):
        return self.layers(x)


class MobileFaceNet(nn.Module):
    def __init__(self, num_features, blocks, scale):
        super().__init__()
        c1, c2 = 64 * scale, 128 * scale
        second = (ConvBlock(c1, c1, 3, 1, 1, groups=64) if blocks[0] == 1 else Residual(c1, blocks[0], 128))
        self.layers = nn.ModuleList([
            ConvBlock(3, c1, 3, 2, 1),
            second,
            DepthWise(c1, c1, False, 2, 128),
            Residual(c1, blocks[1], 128),
            DepthWise(c1, c2, False, 2, 256),
            Residual(c2, blocks[2], 256),
            DepthWise(c2, c2, False, 2, 512),
            Residual(c2, blocks[3], 256),
        ])
        self.conv_sep = ConvBlock(c2, 512)
        self.features = GDC(num_features)

    def forward(self, x):
        for layer in self.layers:
            x = layer(x)
        return self.features(self.conv_sep(x))


def build(name, num_features):
    if name == 'r18':
        return IResNet((2, 2, 2, 2), num_features)
    if name == 'mbf':
        return MobileFaceNet(num_features, (1, 4, 6, 2), 2)
    if name == 'mbf_large':
        return MobileFaceNet(num_features, (2, 8, 12, 4), 4)
    raise ValueError(name)


def fill(network):
    """The weights of ForwardParityTests.Fill: sin(0.37·index + len(key)), shaped per kind of tensor."""
    with torch.no_grad():
        for key, value in network.state_dict().items():
            if value.dtype == torch.int64:
                continue  # num_batches_tracked
            n = value.numel()
            s = torch.arange(n, dtype=torch.float64).mul_(0.37).add_(len(key)).sin_()
            if key.endswith('running_var'):
                filled = s.add(1).mul_(0.25).add_(1)
            elif key.endswith('running_mean') or key.endswith('bias'):
                filled = s.mul(0.1)
            elif value.dim() == 1:
                filled = s.mul(0.1).add_(1)
            else:
                filled = s.mul(math.sqrt(3.0 / (n / value.shape[0])))
            value.copy_(filled.reshape(value.shape))


def keys_lines(name):
    network = build(name, 512)
    return [f"{key} [{','.join(str(d) for d in value.shape)}]" for key, value in network.state_dict().items()]


def forward_values(name):
    network = build(name, 16).double()
    fill(network)
    network.eval()
    with torch.no_grad():
        images = torch.arange(2 * 3 * 112 * 112, dtype=torch.float64).mul_(0.001).sin_().reshape(2, 3, 112, 112)
        return network(images).flatten().tolist()


def check_keys(name, lines):
    with open(os.path.join(GOLDEN, f'{name}.keys.txt')) as f:
        committed = f.read().splitlines()
    if sorted(committed) == sorted(lines):
        print(f'{name}.keys.txt: {len(lines)} keys agree')
        return True
    print(f'{name}.keys.txt DIFFERS: only committed {sorted(set(committed) - set(lines))[:5]}, '
          f'only computed {sorted(set(lines) - set(committed))[:5]}')
    return False


def check_forward(name, values):
    with open(os.path.join(GOLDEN, f'{name}.forward.txt')) as f:
        committed = [float(line) for line in f.read().split()]
    worst = max(abs(a - b) / max(abs(b), 1e-12) for a, b in zip(values, committed)) if len(values) == len(committed) else math.inf
    ok = worst <= 1e-9  # the C# test's rtol: BLAS and conv algorithms may differ in the last bits
    print(f'{name}.forward.txt: {len(values)} values, largest relative difference {worst:.3g}: {"agree" if ok else "DIFFER"}')
    return ok


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('--check', action='store_true', help='compare with the committed files instead of writing them')
    args = parser.parse_args()
    torch.set_num_threads(1)  # the same sums in the same order on every machine
    ok = True
    for name in ('r18', 'mbf', 'mbf_large'):
        lines = keys_lines(name)
        if args.check:
            ok &= check_keys(name, lines)
        else:
            with open(os.path.join(GOLDEN, f'{name}.keys.txt'), 'w') as f:
                f.write('\n'.join(lines) + '\n')
    for name in ('r18', 'mbf'):
        values = forward_values(name)
        if args.check:
            ok &= check_forward(name, values)
        else:
            with open(os.path.join(GOLDEN, f'{name}.forward.txt'), 'w') as f:
                f.write('\n'.join(repr(v) for v in values) + '\n')
    return 0 if ok else 1


if __name__ == '__main__':
    sys.exit(main())

#!/usr/bin/python3
"""The numbers of ArcFaceTorchReferenceTests: arcface_torch's verification test() on 30 real ORL pairs.

The pairs are FaceFixtures.Pairs(30): pair i (1-based) is s{i}/1.jpg with s{i}/2.jpg (same) when i is odd, and
s{i}/1.jpg with s{i+1}/1.jpg (different) when i is even. Each image is decoded as load_bin() does (OpenCV's decoder,
BGR to RGB, CHW uint8, and a copy mirrored left to right), scaled as test() does ((x / 255 − 0.5) / 0.5 in float32)
and embedded in batches of 10 by a fixed Conv 8x8/8 (no bias) → AvgPool 7 → Flatten network whose weights are
TinyOnnx.FixedConvWeights. Prints XNorm, Accuracy, AccuracyStd, Threshold, TarAtFar and Far, or with --check
compares them with the constants in tests/InsightFace.Engine.Tests/Evaluation/ArcFaceTorchReferenceTests.cs.
Needs python3-torch, python3-numpy and python3-opencv, and the fixtures in ../shared/fixtures (or INSIGHTFACE_FIXTURES).
"""
import argparse
import os
import re
import sys

import cv2
import numpy as np
import torch
from torch import nn

from arcface_protocol import evaluate

HERE = os.path.dirname(os.path.abspath(__file__))
TEST = os.path.join(HERE, '..', 'InsightFace.Engine.Tests', 'Evaluation', 'ArcFaceTorchReferenceTests.cs')
FIXTURES = os.environ.get('INSIGHTFACE_FIXTURES') or os.path.join(HERE, '..', '..', '..', 'shared', 'fixtures')
ORL = os.path.join(FIXTURES, 'orl-faces-112')
NAMES = ('XNorm', 'Accuracy', 'AccuracyStd', 'Threshold', 'TarAtFar', 'Far')


def pairs(count):
    image = lambda subject, number: os.path.join(ORL, f's{subject}', f'{number}.jpg')
    return [(image(i, 1), image(i, 2), True) if i % 2 == 1 else (image(i, 1), image(i + 1, 1), False)
            for i in range(1, count + 1)]


def decode(path):
    with open(path, 'rb') as f:
        bgr = cv2.imdecode(np.frombuffer(f.read(), np.uint8), cv2.IMREAD_COLOR)
    assert bgr.shape == (112, 112, 3), bgr.shape
    return np.ascontiguousarray(bgr[:, :, ::-1].transpose(2, 0, 1))  # RGB, CHW


def fixed_conv():
    """TinyOnnx.FixedConvWeights: ((37·i mod 101) − 50) / 500 as float32, shaped [8, 3, 8, 8]."""
    conv = nn.Conv2d(3, 8, 8, stride=8, bias=False)
    weights = [(((i * 37) % 101) - 50) / 500.0 for i in range(8 * 3 * 8 * 8)]
    with torch.no_grad():
        conv.weight.copy_(torch.tensor(weights, dtype=torch.float32).reshape(8, 3, 8, 8))
    return nn.Sequential(conv, nn.AvgPool2d(7), nn.Flatten()).eval()


@torch.no_grad()
def embed(images, backbone, batch_size=10):
    assert len(images) % batch_size == 0  # test() re-reads the last batch's tail otherwise; not needed here
    out = []
    for start in range(0, len(images), batch_size):
        batch = torch.from_numpy(np.stack(images[start:start + batch_size]))
        out.append(backbone(((batch / 255) - 0.5) / 0.5).numpy().astype(np.float64))
    return np.concatenate(out)


def numbers():
    images, same = [], []
    for first, second, is_same in pairs(30):
        images += [decode(first), decode(second)]
        same.append(is_same)
    mirrored = [np.ascontiguousarray(image[:, :, ::-1]) for image in images]
    backbone = fixed_conv()
    m = evaluate([embed(images, backbone), embed(mirrored, backbone)], same)
    return [m['xnorm'], m['accuracy'], m['accuracy_std'], m['threshold'], m['tar'], m['far']]


def committed():
    with open(TEST) as f:
        text = f.read()
    return [float(re.search(rf'\b{name} = ([-0-9.eE]+)', text).group(1)) for name in NAMES]


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('--check', action='store_true', help='compare with the committed test instead of printing')
    args = parser.parse_args()
    if not os.path.isdir(ORL):
        print(f'fixture folder {ORL} not found (set INSIGHTFACE_FIXTURES)')
        return 2
    torch.set_num_threads(1)
    values = numbers()
    print(', '.join(f'{name} = {value!r}' for name, value in zip(NAMES, values)))
    if not args.check:
        return 0
    # The test's precision: 7 decimals for XNorm (float32 convolutions), 12 for the rest.
    ok = True
    for name, ours, theirs in zip(NAMES, values, committed()):
        if round(ours - theirs, 7 if name == 'XNorm' else 12) != 0:
            print(f'  {name}: computed {ours!r}, committed {theirs!r}: DIFFER')
            ok = False
    print('agree' if ok else 'DIFFER')
    return 0 if ok else 1


if __name__ == '__main__':
    sys.exit(main())

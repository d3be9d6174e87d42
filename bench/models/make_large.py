#!/usr/bin/python3
"""Writes two large safetensors files for bench/models/models_bench.sh, in bounded memory.

  make_large.py A B GIB

A: GIB GiB of float32 in 64 MiB tensors (layer.N.weight [4096, 4096]), random values from a
fixed seed. B: the same tensors, every other one scaled by 1.001 (changed), the rest byte for
byte the same (identical), so a diff compares every value and finds both kinds. Written in the
published layout (u64 header length, JSON header, little-endian C-order data), 16 MiB at a time.
"""
import json
import struct
import sys

import numpy as np

ROWS = COLS = 4096  # 64 MiB of float32 per tensor
STEP_ROWS = 1024    # rows written per step (16 MiB)


def main():
    a, b, gib = sys.argv[1], sys.argv[2], float(sys.argv[3])
    count = max(1, int(gib * 1024 / 64))
    header, offset = {"__metadata__": {"format": "pt"}}, 0
    for i in range(count):
        size = ROWS * COLS * 4
        header[f"layer.{i}.weight"] = {"dtype": "F32", "shape": [ROWS, COLS],
                                       "data_offsets": [offset, offset + size]}
        offset += size
    text = json.dumps(header).encode()
    rng = np.random.default_rng(0)
    with open(a, "wb") as fa, open(b, "wb") as fb:
        for f in (fa, fb):
            f.write(struct.pack("<Q", len(text)) + text)
        for i in range(count):
            for _ in range(ROWS // STEP_ROWS):
                block = rng.standard_normal((STEP_ROWS, COLS), dtype=np.float32)
                fa.write(block.tobytes())
                fb.write((block * np.float32(1.001) if i % 2 else block).tobytes())


if __name__ == "__main__":
    main()

#!/usr/bin/python3
"""A training loop that reports one long, noisy `loss` series with a few hidden spikes.

Usage: spiky_series.py POINTS   (under `trail run`, which sets $TRAIL_METRICS)

The loss decays with noise; three single-point spikes (one far above, two far below the curve)
sit at seeded random steps, so a chart that drops points between pixels would miss them. The
benchmark checks that the downsampled series still holds the whole series' min and max.
"""
import json
import math
import os
import random
import sys


def main(argv):
    n = int(argv[1])
    rng = random.Random(7)
    spikes = {rng.randrange(n // 10, n): 25.0, rng.randrange(n // 10, n): -3.0, rng.randrange(n): -2.5}
    with open(os.environ["TRAIL_METRICS"], "a", buffering=1 << 20) as out:
        for i in range(n):
            v = spikes.get(i, 0.1 + 2.0 * math.exp(-5.0 * i / n) + 0.05 * rng.random())
            out.write(json.dumps({"step": i, "loss": round(v, 6)}) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))

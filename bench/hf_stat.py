#!/usr/bin/python3
"""Reads one figure from a `hyperfine --export-json` file.

Usage: hf_stat.py FILE INDEX FIELD
  INDEX  which command of the file (0-based, in the order given to hyperfine)
  FIELD  median | mean | stddev | min | max | user | system  (seconds)
"""
import json
import sys


def main(argv):
    path, index, field = argv[1], int(argv[2]), argv[3]
    with open(path) as f:
        result = json.load(f)["results"][index]
    print(f"{result[field]:.6f}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))

#!/usr/bin/python3
"""How long trail.search_runs takes to put every run of a project into a pandas DataFrame, and
its peak memory, beside pandas reading the same table from a CSV file (what a notebook does with
an exported table: the floor for "a table in memory", with nothing to query).

Usage: PYTHONPATH=build/python bench/python/search_runs_bench.py PROJECT [--repeat N]

PROJECT is a trail project (bench/gen_runs makes one: `gen_runs --wide 50`; the figures in
bench/RESULTS.md come from 100,000 runs). Its index must be up to date already (any `trail ls`
brings it up to date); the benchmark only reads. Each measurement runs in a fresh interpreter
with pandas and trail imported first, so the time is the call's and the peak RSS is that
process's. Prints one table and a JSON line of the raw figures. Target: < 2 s for 100,000 runs.
"""
import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile

SEARCH = r"""
import json, resource, sys, time
import pandas, trail
path, repeat = sys.argv[1], int(sys.argv[2])
times, cpu = [], []
for _ in range(repeat):
    t, c = time.perf_counter(), time.process_time()
    df = trail.search_runs(path=path)
    times.append(time.perf_counter() - t)
    cpu.append(time.process_time() - c)
if len(sys.argv) > 3:
    df.to_csv(sys.argv[3], index=False)
print(json.dumps({"times": times, "cpu": cpu, "rows": len(df), "columns": len(df.columns),
                  "numeric_columns": int((df.dtypes == "float64").sum()),
                  "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""

READ_CSV = r"""
import json, resource, sys, time
import pandas
path, repeat = sys.argv[1], int(sys.argv[2])
times, cpu = [], []
for _ in range(repeat):
    t, c = time.perf_counter(), time.process_time()
    df = pandas.read_csv(path, parse_dates=["start_time", "end_time"])
    times.append(time.perf_counter() - t)
    cpu.append(time.process_time() - c)
print(json.dumps({"times": times, "cpu": cpu, "rows": len(df), "columns": len(df.columns),
                  "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""


def child(script, *args):
    proc = subprocess.run([sys.executable, "-c", script, *map(str, args)], capture_output=True, text=True)
    if proc.returncode != 0:
        sys.exit(f"search_runs_bench: a measurement failed:\n{proc.stderr}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("project")
    parser.add_argument("--repeat", type=int, default=3, help="calls per process (the first pays the cold file cache)")
    args = parser.parse_args()
    project = os.path.abspath(args.project)
    with tempfile.TemporaryDirectory(prefix="trail-search-bench-") as tmp:
        csv = os.path.join(tmp, "runs.csv")
        export = child(SEARCH, project, 1, csv)  # also warms the file cache for both
        trail_fig = child(SEARCH, project, args.repeat)
        csv_fig = child(READ_CSV, csv, args.repeat)
        csv_mb = os.path.getsize(csv) / 2**20
    t_med, c_med = statistics.median(trail_fig["times"]), statistics.median(csv_fig["times"])
    rows = [
        ("figure", "trail.search_runs", "pandas.read_csv (same table)", "target"),
        (f"{trail_fig['rows']} runs x {trail_fig['columns']} columns into a DataFrame, median of {args.repeat}",
         f"{t_med:.3f} s", f"{c_med:.3f} s", "< 2 s"),
        ("  CPU time of the call (median; the figure to trust on a busy machine)",
         f"{statistics.median(trail_fig['cpu']):.3f} s", f"{statistics.median(csv_fig['cpu']):.3f} s", "-"),
        ("  first call of a fresh process", f"{trail_fig['times'][0]:.3f} s", f"{csv_fig['times'][0]:.3f} s", "-"),
        ("  peak RSS of the process", f"{trail_fig['peak_rss_mb']:.0f} MB", f"{csv_fig['peak_rss_mb']:.0f} MB", "-"),
        ("  CSV file size", "-", f"{csv_mb:.1f} MiB", "-"),
    ]
    widths = [max(len(r[i]) for r in rows) for i in range(4)]
    for i, r in enumerate(rows):
        print(" | ".join(c.ljust(w) for c, w in zip(r, widths)))
        if i == 0:
            print("-+-".join("-" * w for w in widths))
    print("search-runs-bench: " + json.dumps({"trail": trail_fig, "read_csv": csv_fig, "export_first_s":
                                              export["times"][0], "csv_mib": round(csv_mb, 1)}))


if __name__ == "__main__":
    main()

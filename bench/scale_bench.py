#!/usr/bin/python3
"""trail at scale: the same figures on a small and a big generated project, side by side.

Usage: scale_bench.py --trail BIN --gen GEN_RUNS --small DIR --big DIR [--pull-runs N]
                      [--skip-rebuild] [--repeat N] [--out JSON]

  --small, --big  projects made by `gen_runs --repo DIR --runs N` (100,000 and 1,000,000 for
                  issue 18), their index built. Only --big's index is rebuilt; both get a few
                  `trail run -- true` runs (the overhead figure) at the end.
  --gen           bench/gen_runs, for the pull: it adds N runs on top of a bare copy's branch
                  (`--append`), and a clone whose index is already up to date pulls them.

Figures, each for both projects, then the ratio big / small:
  - `trail ls [--where W] [--sort S [--desc]] --limit 20`, warm: the median of --repeat
    processes (the index up to date, its pages in the OS cache, a fresh process each time, as a
    user types it);
  - the same query once right after a `trail run -- true` (the index changed: its kept
    columns are brought up to date from the journal, or read anew);
  - the web UI's runs page for the same query (`GET /api/v1/runs?...&limit=50`, what the page
    asks for), first request of each (cold: the server's columns are not loaded) and warm;
  - `trail index --rebuild`: wall, CPU and peak RSS (big only, and small unless --skip-rebuild);
  - `trail pull` of --pull-runs new runs, the index updated included (big only);
  - `trail run -- true` minus `true`, the median of --repeat.
"""
import argparse
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import http.client
import urllib.parse

# name, where, sort, descending
QUERIES = [
    ("newest first, no filter", "", "", False),
    ("filter on a param", "params.optimizer = 'adam'", "", False),
    ("filter on a param, sorted by a metric", "params.optimizer = 'adam'", "metrics.val_loss", False),
    ("two conditions", "metrics.loss < 0.5 and params.lr > 0.01", "", False),
    ("two conditions, sorted by a metric desc", "metrics.loss < 0.5 and params.lr > 0.01", "metrics.accuracy", True),
    ("sorted by a metric, no filter", "", "metrics.val_loss", False),
    ("sorted by a param desc, no filter", "", "params.lr", True),
    ("filter against the sort order", "metrics.val_loss > 0.3", "metrics.val_loss", False),
    ("rare match (0.1% of runs)", "params.lr < 0.0000101", "", False),
    ("rare match, sorted by a metric", "params.lr < 0.0000101", "metrics.accuracy", True),
    ("tag and status, sorted", "tags.stage = 'final' and status = 'failed'", "metrics.accuracy", True),
]


def ls_args(where, sort, desc, limit=20):
    args = ["ls", "--limit", str(limit), "--format", "csv"]
    if where:
        args += ["--where", where]
    if sort:
        args += ["--sort", sort]
    if desc:
        args.append("--desc")
    return args


def timed_run(argv, cwd, env=None):
    t0 = time.perf_counter()
    subprocess.run(argv, cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
    return time.perf_counter() - t0


def median_s(argv, cwd, repeat, warmup=2):
    for _ in range(warmup):
        timed_run(argv, cwd)
    return statistics.median(timed_run(argv, cwd) for _ in range(repeat))


def time_v(argv, cwd):
    """Wall, user+sys CPU and peak RSS (MB) of one process, from GNU time."""
    with tempfile.NamedTemporaryFile("r", suffix=".time") as f:
        subprocess.run(["/usr/bin/time", "-o", f.name, "-f", "%e %U %S %M"] + argv, cwd=cwd,
                       stdout=subprocess.DEVNULL, check=True)
        wall, user, sys_, rss = f.read().split()[-4:]
    return float(wall), float(user) + float(sys_), int(rss) / 1024.0


class Ui:
    """`trail ui --port 0` in the project, until closed."""

    def __init__(self, trail, project):
        self.proc = subprocess.Popen([trail, "ui", "--port", "0"], cwd=project, stdout=subprocess.PIPE,
                                     stderr=subprocess.STDOUT, text=True)
        line = self.proc.stdout.readline()
        m = re.search(r"http://([0-9.]+):([0-9]+)", line)
        if not m:
            self.proc.kill()
            raise SystemExit(f"scale_bench: trail ui said {line!r}")
        self.conn = http.client.HTTPConnection(m.group(1), int(m.group(2)), timeout=120)

    def get(self, path):
        t0 = time.perf_counter()
        self.conn.request("GET", path)
        r = self.conn.getresponse()
        body = r.read()
        if r.status != 200:
            raise SystemExit(f"scale_bench: GET {path}: HTTP {r.status}: {body[:200]!r}")
        return time.perf_counter() - t0, body

    def close(self):
        self.conn.close()
        self.proc.terminate()
        self.proc.wait()


def page_path(where, sort, desc):
    q = {"limit": 50}
    if where:
        q["where"] = where
    if sort:
        q["sort"] = sort
    if desc:
        q["desc"] = 1
    return "/api/v1/runs?" + urllib.parse.urlencode(q)


def measure_queries(trail, project, repeat):
    out = []
    for name, where, sort, desc in QUERIES:
        argv = [trail] + ls_args(where, sort, desc)
        rows = subprocess.run(argv, cwd=project, capture_output=True, text=True, check=True).stdout.count("\n") - 1
        out.append({"query": name, "cli_ms": median_s(argv, project, repeat) * 1000.0, "rows": rows})
    # The first query after a change: a run recorded, then the query once (its index update
    # included).
    for entry, (name, where, sort, desc) in zip(out, QUERIES):
        subprocess.run([trail, "run", "--", "true"], cwd=project, stdout=subprocess.DEVNULL,
                       stderr=subprocess.DEVNULL, check=True)
        entry["after_change_ms"] = timed_run([trail] + ls_args(where, sort, desc), project) * 1000.0
    ui = Ui(trail, project)
    try:
        for entry, (name, where, sort, desc) in zip(out, QUERIES):
            path = page_path(where, sort, desc)
            cold, body = ui.get(path)
            entry["api_cold_ms"] = cold * 1000.0
            entry["api_rows"] = len(json.loads(body)["runs"])
            entry["api_ms"] = statistics.median(ui.get(path)[0] for _ in range(repeat)) * 1000.0
    finally:
        ui.close()
    return out


def run_overhead_ms(trail, project, repeat):
    bare = median_s(["true"], project, repeat)
    run = median_s([trail, "run", "--", "true"], project, repeat, warmup=1)
    return (run - bare) * 1000.0


def index_file(project):
    return os.path.join(project, ".trail", "index.sqlite")


def measure_pull(trail, gen, project, runs, work):
    """A clone with the project's runs and an up-to-date index pulls `runs` new ones."""
    remote = os.path.join(work, "remote")  # a teammate's clone (objects shared with the project)
    local = os.path.join(work, "local")
    subprocess.run(["git", "clone", "-q", "--shared", project, remote], check=True)
    subprocess.run(["git", "-C", remote, "fetch", "-q", project, "trail:trail"], check=True)
    subprocess.run([gen, "--repo", remote, "--runs", str(runs), "--append", "--seed", "7"], check=True,
                   stdout=subprocess.DEVNULL)
    subprocess.run(["git", "clone", "-q", "--shared", project, local], check=True)
    subprocess.run(["git", "-C", local, "fetch", "-q", project, "trail:trail"], check=True)
    subprocess.run(["git", "-C", local, "remote", "set-url", "origin", remote], check=True)
    shutil.copy2(index_file(project), index_file(local))
    wall, cpu, rss = time_v([trail, "pull", "-q"], local)
    tip = subprocess.run(["git", "-C", local, "rev-parse", "trail"], capture_output=True, text=True).stdout.strip()
    want = subprocess.run(["git", "-C", remote, "rev-parse", "trail"], capture_output=True, text=True).stdout.strip()
    last = subprocess.run([trail, "ls", "--limit", "1", "--sort", "number", "--desc", "--format", "csv",
                           "--columns", "number"], cwd=local, capture_output=True, text=True).stdout.split()
    return {"runs": runs, "wall_s": wall, "cpu_s": cpu, "rss_mb": rss, "branch_matches": tip == want,
            "highest_number": last[-1] if last else ""}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--trail", required=True)
    ap.add_argument("--gen", required=True)
    ap.add_argument("--small", required=True)
    ap.add_argument("--big", required=True)
    ap.add_argument("--pull-runs", type=int, default=10000)
    ap.add_argument("--repeat", type=int, default=10)
    ap.add_argument("--skip-rebuild", action="store_true")
    ap.add_argument("--phases", default="queries,rebuild,pull,overhead",
                    help="which to run (comma-separated); the others' figures are kept from --out")
    ap.add_argument("--out", default="")
    a = ap.parse_args()
    trail, gen = os.path.abspath(a.trail), os.path.abspath(a.gen)
    phases = set(a.phases.split(","))
    res = {"small": {}, "big": {}}
    if a.out and os.path.exists(a.out):
        with open(a.out) as f:
            res = json.load(f)

    def save():
        if a.out:
            with open(a.out, "w") as f:
                json.dump(res, f, indent=1)

    for which, project in (("small", a.small), ("big", a.big)):
        if "queries" not in phases:
            break
        # The index up to date (its pages cached) before the warm figures.
        subprocess.run([trail, "ls", "--limit", "1"], cwd=project, stdout=subprocess.DEVNULL, check=True)
        res[which]["queries"] = measure_queries(trail, project, a.repeat)
        save()
        print(f"{which}: queries done", file=sys.stderr)
    for which, project in (("small", a.small), ("big", a.big)):
        if "rebuild" not in phases or (which == "small" and a.skip_rebuild):
            continue
        wall, cpu, rss = time_v([trail, "index", "--rebuild", "-q"], project)
        res[which]["rebuild"] = {"wall_s": wall, "cpu_s": cpu, "rss_mb": rss}
        save()
        print(f"{which}: rebuild {wall:.1f} s, {rss:.0f} MB", file=sys.stderr)
    if "pull" in phases:
        with tempfile.TemporaryDirectory(prefix="trail-scale-") as work:
            res["big"]["pull"] = measure_pull(trail, gen, a.big, a.pull_runs, work)
        save()
    for which, project in (("small", a.small), ("big", a.big)):
        if "overhead" in phases:
            res[which]["run_overhead_ms"] = run_overhead_ms(trail, project, a.repeat)
    save()
    print_table(res)


def print_table(res):
    s, b = res["small"], res["big"]
    print(f"{'figure':62} | {'small':>10} | {'big':>10} | big/small")
    print("-" * 100)

    def row(name, x, y, unit):
        ratio = f"{y / x:.2f}" if x else "-"
        print(f"{name:62} | {x:8.1f}{unit:>2} | {y:8.1f}{unit:>2} | {ratio}")

    if "queries" in s and "queries" in b:
        for qs, qb in zip(s["queries"], b["queries"]):
            row(f"ls --limit 20: {qs['query']}", qs["cli_ms"], qb["cli_ms"], "ms")
        if "after_change_ms" in s["queries"][0] and "after_change_ms" in b["queries"][0]:
            for qs, qb in zip(s["queries"], b["queries"]):
                row(f"after a run: {qs['query']}", qs["after_change_ms"], qb["after_change_ms"], "ms")
        for qs, qb in zip(s["queries"], b["queries"]):
            row(f"API page (50 rows), warm: {qs['query']}", qs["api_ms"], qb["api_ms"], "ms")
        for qs, qb in zip(s["queries"], b["queries"]):
            row(f"API page (50 rows), first: {qs['query']}", qs["api_cold_ms"], qb["api_cold_ms"], "ms")
    if "rebuild" in s and "rebuild" in b:
        row("index --rebuild wall", s["rebuild"]["wall_s"], b["rebuild"]["wall_s"], "s")
        row("index --rebuild CPU", s["rebuild"]["cpu_s"], b["rebuild"]["cpu_s"], "s")
        row("index --rebuild peak RSS", s["rebuild"]["rss_mb"], b["rebuild"]["rss_mb"], "MB")
    elif "rebuild" in b:
        print(f"index --rebuild (big): {b['rebuild']['wall_s']:.1f} s wall, {b['rebuild']['cpu_s']:.1f} s CPU,"
              f" {b['rebuild']['rss_mb']:.0f} MB")
    if "pull" in b:
        p = b["pull"]
        print(f"pull of {p['runs']} new runs into the big project's clone: {p['wall_s']:.2f} s wall,"
              f" {p['cpu_s']:.2f} s CPU, {p['rss_mb']:.0f} MB; branch matches the remote: {p['branch_matches']};"
              f" highest number after: {p['highest_number']}")
    if "run_overhead_ms" in s and "run_overhead_ms" in b:
        row("trail run -- true, added to true", s["run_overhead_ms"], b["run_overhead_ms"], "ms")


if __name__ == "__main__":
    main()

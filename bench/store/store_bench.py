#!/usr/bin/python3
"""Object store benchmarks (issue 4), side by side with the peers, one run, one table.

    bench/store/store_bench.py [add] [folder] [dedup] [checkout]      (no argument: all)

add       `trail add` of a new 1 GiB random file vs `openssl dgst -sha256` of it (the one-core
          hashing limit), `git lfs track` + `git add` + `git commit` (Debian's git-lfs) and
          `git annex add` + `git commit` (Debian's git-annex). Best of 5 for openssl and trail
          (alternating), of 2 for the slow peers; warm page cache for all.
dedup     10 checkpoints of 256 MiB, each the previous one with 5% of its bytes rewritten in 3
          contiguous regions: bytes each tool keeps for all ten, over one checkpoint's size.
folder    `trail add` of a folder of 5,000 files of ~200 KiB (1 GB; an image data set) vs
          `git annex add` + commit, `git lfs track` + `git add` + commit, and `cat | openssl dgst`
          of the same bytes. Best of 3 for trail and openssl, one run for the peers.
checkout  `trail checkout` of the 1 GiB file from the local store (file deleted first), beside
          `cp` + fsync of the same file.
durable   `dd oflag=direct` of 1 GiB: what writing the bytes durably costs this disk, the floor
          under any store that fsyncs what it adds (openssl writes nothing).

Push and pull through S3 are timed by bench/remote_sync.py, beside awscli.

Environment: TRAIL_BIN (default build/trail), TRAIL_BENCH_GIB (default 1), TRAIL_BENCH_KEEP=1.
Prints figures; fails on nothing slow.
"""
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
TRAIL = os.environ.get("TRAIL_BIN", str(ROOT / "build" / "trail"))
if os.sep in TRAIL:  # a relative path like build/trail must survive the cd into temp repos
    TRAIL = os.path.abspath(TRAIL)
GIB = float(os.environ.get("TRAIL_BENCH_GIB", "1"))
SIZE = int(GIB * (1 << 30))
ENV = {k: v for k, v in os.environ.items() if not k.startswith("GIT_")}
rows = []


def sh(*args, cwd=None, env=None, quiet=True):
    return subprocess.run(list(args), cwd=cwd, env=env or ENV, check=True,
                          stdout=subprocess.DEVNULL if quiet else None, stderr=subprocess.PIPE)


def timed(*args, cwd=None, env=None):
    t = time.perf_counter()
    sh(*args, cwd=cwd, env=env)
    return time.perf_counter() - t


def random_file(path, size, seed):
    import random
    rng = random.Random(seed)
    with open(path, "wb") as f:
        for start in range(0, size, 1 << 24):
            f.write(rng.randbytes(min(1 << 24, size - start)))


def git_repo(path, kind):
    path.mkdir(parents=True)
    sh("git", "init", "-q", "-b", "main", cwd=path)
    sh("git", "config", "user.name", "Bench", cwd=path)
    sh("git", "config", "user.email", "bench@example.org", cwd=path)
    sh("git", "commit", "-q", "--allow-empty", "-m", "init", cwd=path)
    if kind == "trail":
        sh(TRAIL, "init", "--name", "b", cwd=path)
    elif kind == "lfs":
        sh("git", "lfs", "install", "--local", cwd=path)
    elif kind == "annex":
        sh("git", "annex", "init", "bench", cwd=path)
    return path


def du(path):
    return sum(p.stat().st_size for p in Path(path).rglob("*") if p.is_file() and not p.is_symlink())


def add_once(tool, work, src, i):
    repo = git_repo(work / f"{tool}-{i}", tool)
    shutil.copyfile(src, repo / "model.bin")
    os.sync()
    if tool == "trail":
        return timed(TRAIL, "add", "model.bin", cwd=repo)
    if tool == "openssl":
        return timed("openssl", "dgst", "-sha256", str(repo / "model.bin"))
    if tool == "lfs":
        t = timed("git", "lfs", "track", "*.bin", cwd=repo)
        t += timed("git", "add", ".gitattributes", "model.bin", cwd=repo)
        return t + timed("git", "commit", "-qm", "model", cwd=repo)
    if tool == "annex":
        t = timed("git", "annex", "add", "model.bin", cwd=repo)
        return t + timed("git", "commit", "-qm", "model", cwd=repo)


def bench_add(work):
    src = work / "source.bin"
    random_file(src, SIZE, 1)
    times = {tool: [] for tool in ("openssl", "trail", "annex", "lfs")}
    # openssl and trail alternate, five times each, so a slow spell of a shared machine lands on
    # both; the slow peers run twice.
    for i in range(5):
        for tool in ("openssl", "trail") + (("annex", "lfs") if i < 2 else ()):
            times[tool].append(add_once(tool, work, src, i))
            shutil.rmtree(work / f"{tool}-{i}", ignore_errors=True)
    best = {tool: min(t) for tool, t in times.items()}
    label = f"add {GIB:g} GiB"
    rows.append((f"{label}: trail vs openssl dgst", f"{best['trail']:.2f} s", f"{best['openssl']:.2f} s",
                 best["trail"] / best["openssl"], "<= 1.5", best["trail"] / best["openssl"] <= 1.5))
    rows.append((f"{label}: trail vs git-annex", f"{best['trail']:.2f} s", f"{best['annex']:.2f} s",
                 best["trail"] / best["annex"], "< 1", best["trail"] < best["annex"]))
    rows.append((f"{label}: trail vs git-lfs", f"{best['trail']:.2f} s", f"{best['lfs']:.2f} s",
                 best["trail"] / best["lfs"], "< 1", best["trail"] < best["lfs"]))
    return src


def image_folder(path, count, seed):
    import random
    rng = random.Random(seed)
    for i in range(count):
        d = path / f"{i % 50:02d}"
        d.mkdir(parents=True, exist_ok=True)
        (d / f"img{i:05d}.jpg").write_bytes(rng.randbytes(200 * 1024 + (i * 37) % 4096))


def bench_folder(work):
    count = int(5000 * GIB)
    src = work / "images-src"
    image_folder(src, count, 3)
    total = du(src)
    times = {}
    for tool in ("trail", "openssl", "trail", "openssl", "trail", "openssl", "annex", "lfs"):
        repo = git_repo(work / f"folder-{tool}", tool)
        shutil.copytree(src, repo / "images")
        os.sync()
        if tool == "trail":
            t = timed(TRAIL, "add", "images", cwd=repo)
        elif tool == "openssl":
            t = time.perf_counter()
            files = sorted(str(p) for p in (repo / "images").rglob("*.jpg"))
            cat = subprocess.Popen(["xargs", "cat"], stdin=subprocess.PIPE, stdout=subprocess.PIPE)
            dgst = subprocess.Popen(["openssl", "dgst", "-sha256"], stdin=cat.stdout, stdout=subprocess.DEVNULL)
            cat.stdout.close()
            cat.communicate("\n".join(files).encode())
            dgst.wait()
            t = time.perf_counter() - t
        elif tool == "annex":
            t = timed("git", "annex", "add", "images", cwd=repo) + timed("git", "commit", "-qm", "images", cwd=repo)
        else:
            t = timed("git", "lfs", "track", "*.jpg", cwd=repo)
            t += timed("git", "add", ".gitattributes", "images", cwd=repo)
            t += timed("git", "commit", "-qm", "images", cwd=repo)
        times[tool] = min(times.get(tool, t), t)
        shutil.rmtree(repo, ignore_errors=True)
    label = f"add folder of {count} files ({total / 1e9:.2f} GB)"
    rows.append((f"{label}: trail vs cat | openssl dgst", f"{times['trail']:.2f} s", f"{times['openssl']:.2f} s",
                 times["trail"] / times["openssl"], "-", True))
    rows.append((f"{label}: trail vs git-annex", f"{times['trail']:.2f} s", f"{times['annex']:.2f} s",
                 times["trail"] / times["annex"], "< 1", times["trail"] < times["annex"]))
    rows.append((f"{label}: trail vs git-lfs", f"{times['trail']:.2f} s", f"{times['lfs']:.2f} s",
                 times["trail"] / times["lfs"], "< 1", times["trail"] < times["lfs"]))
    shutil.rmtree(src, ignore_errors=True)


def rewrite(path, version):
    import random
    rng = random.Random(1000 + version)
    size = path.stat().st_size
    per_region = int(size * 0.05) // 3
    with open(path, "r+b") as f:
        for _ in range(3):
            at = rng.randrange(0, size - per_region)
            f.seek(at)
            f.write(rng.randbytes(per_region))


def bench_dedup(work):
    one = 256 << 20
    stored = {}
    for tool in ("trail", "lfs", "annex"):
        repo = git_repo(work / f"dedup-{tool}", tool)
        ckpt = repo / "model.ckpt"
        random_file(ckpt, one, 7)
        if tool == "lfs":
            sh("git", "lfs", "track", "*.ckpt", cwd=repo)
            sh("git", "add", ".gitattributes", cwd=repo)
        for v in range(10):
            if v:
                if tool == "annex":
                    sh("git", "annex", "unlock", "model.ckpt", cwd=repo)
                rewrite(ckpt, v)
            if tool == "trail":
                sh(TRAIL, "add", "model.ckpt", cwd=repo)
            elif tool == "lfs":
                sh("git", "add", "model.ckpt", cwd=repo)
                sh("git", "commit", "-qm", f"v{v}", cwd=repo)
            else:
                sh("git", "annex", "add", "model.ckpt", cwd=repo)
                sh("git", "commit", "-qm", f"v{v}", cwd=repo)
        where = {"trail": repo / ".git/trail/store", "lfs": repo / ".git/lfs/objects",
                 "annex": repo / ".git/annex/objects"}[tool]
        stored[tool] = du(where) / one
        shutil.rmtree(repo, ignore_errors=True)
    rows.append(("dedup 10 x 256 MiB, 5% rewritten: trail vs git-lfs", f"{stored['trail']:.3f}x",
                 f"{stored['lfs']:.3f}x", stored["trail"] / stored["lfs"], "trail <= 1.6x", stored["trail"] <= 1.6))
    rows.append(("dedup 10 x 256 MiB, 5% rewritten: trail vs git-annex", f"{stored['trail']:.3f}x",
                 f"{stored['annex']:.3f}x", stored["trail"] / stored["annex"], "trail <= 1.6x", stored["trail"] <= 1.6))


def bench_checkout(work, src):
    repo = git_repo(work / "checkout", "trail")
    shutil.copyfile(src, repo / "model.bin")
    sh(TRAIL, "add", "model.bin", cwd=repo)
    times = []
    for _ in range(3):
        os.remove(repo / "model.bin")
        times.append(timed(TRAIL, "checkout", cwd=repo))
    cp = []
    for _ in range(3):
        os.sync()
        t = time.perf_counter()
        shutil.copyfile(src, repo / "copy.bin")
        with open(repo / "copy.bin", "rb+") as f:
            os.fsync(f.fileno())
        cp.append(time.perf_counter() - t)
        os.remove(repo / "copy.bin")
    rate = SIZE / min(times) / 1e9
    rows.append((f"checkout {GIB:g} GiB from the local store (vs cp + fsync)", f"{rate:.2f} GB/s",
                 f"{SIZE / min(cp) / 1e9:.2f} GB/s", rate / (SIZE / min(cp) / 1e9), ">= 1 GB/s", rate >= 1.0))
    shutil.rmtree(repo, ignore_errors=True)


def bench_durable_write(work, src):
    times = []
    for _ in range(2):
        times.append(timed("dd", f"if={src}", f"of={work / 'dd.bin'}", "bs=64M", "oflag=direct", "conv=fsync"))
        os.remove(work / "dd.bin")
    rows.append((f"durable write floor: dd oflag=direct of {GIB:g} GiB (trail add for scale)", "-",
                 f"{min(times):.2f} s", 0.0, "-", True))


def main():
    what = sys.argv[1:] or ["add", "folder", "dedup", "checkout"]
    work = Path(tempfile.mkdtemp(prefix="trail-store-bench."))
    ENV["HOME"] = str(work / "home")
    (work / "home").mkdir()
    try:
        src = None
        if "add" in what:
            src = bench_add(work)
        if src is None and "checkout" in what:
            src = work / "source.bin"
            random_file(src, SIZE, 1)
        if "folder" in what:
            bench_folder(work)
        if "dedup" in what:
            bench_dedup(work)
        if "checkout" in what:
            bench_checkout(work, src)
        if "add" in what:
            bench_durable_write(work, src)
    finally:
        if not os.environ.get("TRAIL_BENCH_KEEP"):
            shutil.rmtree(work, ignore_errors=True)
    print(f"\n{'benchmark':<62} | {'trail':>10} | {'peer':>16} | {'ratio':>6} | {'target':<14} | pass")
    for name, mine, peer, ratio, target, ok in rows:
        print(f"{name:<62} | {mine:>10} | {peer:>16} | {ratio:6.2f} | {target:<14} | {'yes' if ok else 'NO'}")


if __name__ == "__main__":
    main()

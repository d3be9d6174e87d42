#!/usr/bin/python3
"""Times `trail push` and `trail pull` of one random file through a local s3rver (or a folder).

    TRAIL_BIN=build/trail /usr/bin/python3 bench/remote_sync.py [--size-mib 1024] [--folder]

Repo A adds the file and pushes; clone B pulls it (fetch + checkout). Prints wall time and MB/s
(decimal) of each step, beside `aws s3 cp` of the same file up and down (the baseline). s3rver is a Node.js server writing to local disk, so the figures bound
trail's own overhead from below, not what a real S3 bucket gives.
"""
import argparse
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TRAIL = os.environ.get("TRAIL_BIN", str(ROOT / "build" / "trail"))
if os.sep in TRAIL:  # a relative path like build/trail must survive the cd into temp repos
    TRAIL = os.path.abspath(TRAIL)


def run(*args, cwd, env):
    t = time.monotonic()
    proc = subprocess.run([str(a) for a in args], cwd=cwd, env=env, capture_output=True, text=True)
    if proc.returncode != 0:
        sys.exit(f"{' '.join(map(str, args))} failed:\n{proc.stdout}\n{proc.stderr}")
    return time.monotonic() - t, proc.stdout


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--size-mib", type=int, default=1024)
    ap.add_argument("--folder", action="store_true", help="a folder remote instead of s3rver")
    ap.add_argument("--jobs", type=int, default=4)
    opts = ap.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="trail-remote-bench-"))
    env = {k: v for k, v in os.environ.items() if not k.startswith("GIT_")}
    env.update(HOME=str(tmp), GIT_CONFIG_NOSYSTEM="1", GIT_AUTHOR_NAME="b", GIT_AUTHOR_EMAIL="b@x",
               GIT_COMMITTER_NAME="b", GIT_COMMITTER_EMAIL="b@x")
    server = None
    try:
        if opts.folder:
            url = str(tmp / "remote")
        else:
            s3rver = os.environ.get("TRAIL_S3RVER") or str(ROOT / "tools/s3rver/node_modules/.bin/s3rver")
            with socket.socket() as s:
                s.bind(("127.0.0.1", 0))
                port = s.getsockname()[1]
            (tmp / "s3").mkdir()
            senv = dict(env, NODE_OPTIONS="--openssl-legacy-provider")
            server = subprocess.Popen([s3rver, "--directory", str(tmp / "s3"), "--port", str(port), "--address",
                                       "127.0.0.1", "--silent", "--configure-bucket", "bench"],
                                      env=senv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            for _ in range(400):
                try:
                    socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                    break
                except OSError:
                    time.sleep(0.05)
            env.update(AWS_ACCESS_KEY_ID="S3RVER", AWS_SECRET_ACCESS_KEY="S3RVER", AWS_REGION="us-east-1",
                       AWS_ENDPOINT_URL=f"http://127.0.0.1:{port}", AWS_CONFIG_FILE="/dev/null",
                       AWS_SHARED_CREDENTIALS_FILE="/dev/null")
            url = "s3://bench/store"
        bare, a, b = tmp / "origin.git", tmp / "a", tmp / "b"
        run("git", "init", "-q", "--bare", "-b", "main", bare, cwd=tmp, env=env)
        run("git", "init", "-q", "-b", "main", a, cwd=tmp, env=env)
        run(TRAIL, "init", "--name", "bench", cwd=a, env=env)
        with open(a / "big.bin", "wb") as f:
            for _ in range(opts.size_mib):
                f.write(os.urandom(1 << 20))
        add_s, _ = run(TRAIL, "add", "big.bin", cwd=a, env=env)
        run("git", "add", "-A", cwd=a, env=env)
        run("git", "commit", "-q", "-m", "data", cwd=a, env=env)
        run("git", "remote", "add", "origin", bare, cwd=a, env=env)
        run("git", "push", "-q", "origin", "main", cwd=a, env=env)
        run(TRAIL, "remote", "add", "origin", url, cwd=a, env=env)
        push_s, push_out = run(TRAIL, "push", "--no-git", "--jobs", opts.jobs, cwd=a, env=env)
        run("git", "clone", "-q", bare, b, cwd=tmp, env=env)
        run(TRAIL, "remote", "add", "origin", url, cwd=b, env=env)
        pull_s, pull_out = run(TRAIL, "pull", "--no-git", "--jobs", opts.jobs, cwd=b, env=env)
        same = subprocess.run(["cmp", a / "big.bin", b / "big.bin"]).returncode == 0
        baseline = []
        if not opts.folder and os.access("/usr/bin/aws", os.X_OK):
            # The baseline: the same file through Debian's AWS CLI (multipart, its default 10 threads).
            aenv = {k: v for k, v in env.items() if k != "AWS_ENDPOINT_URL"}
            ep = env["AWS_ENDPOINT_URL"]
            up_s, _ = run("/usr/bin/aws", "--endpoint-url", ep, "s3", "cp", a / "big.bin", "s3://bench/plain/big.bin",
                          cwd=tmp, env=aenv)
            down_s, _ = run("/usr/bin/aws", "--endpoint-url", ep, "s3", "cp", "s3://bench/plain/big.bin",
                            tmp / "down.bin", cwd=tmp, env=aenv)
            baseline = [("aws s3 cp up", up_s), ("aws s3 cp down", down_s)]
        mb = opts.size_mib * (1 << 20) / 1e6
        print(f"remote: {url}, file: {opts.size_mib} MiB random, jobs {opts.jobs}")
        print(f"trail add   {add_s:6.2f} s  {mb / add_s:7.1f} MB/s")
        print(f"trail push  {push_s:6.2f} s  {mb / push_s:7.1f} MB/s   | {push_out.strip()}")
        print(f"trail pull  {pull_s:6.2f} s  {mb / pull_s:7.1f} MB/s   | {pull_out.strip().splitlines()[0]}")
        for name, secs in baseline:
            print(f"{name:14s}{secs:6.2f} s  {mb / secs:7.1f} MB/s   (baseline)")
        print(f"identical after pull: {same}")
    finally:
        if server:
            server.terminate()
            server.wait()
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()

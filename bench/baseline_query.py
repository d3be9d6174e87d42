#!/usr/bin/python3
"""The plain-Git way to query run records: what a user without trail would write.

Usage: baseline_query.py REPO [BRANCH] [--limit N] [--count]

Answers the same question as
    trail ls --where 'metrics.loss < 0.5 and params.lr > 0.01' --limit 20
by listing every run.yaml on BRANCH (`git ls-tree -r`), reading them all through
one `git cat-file --batch` process, parsing each with PyYAML (its C loader, the
fastest a user would pick) and filtering in Python. Prints the newest N
matching ids, one per line (newest first, as trail ls sorts), or with --count
only the number of matching runs.

`metrics.loss` is the last logged loss (metrics.summary.loss.last), as in trail.
"""
import subprocess
import sys

import yaml

try:
    Loader = yaml.CSafeLoader
except AttributeError:  # PyYAML built without libyaml
    Loader = yaml.SafeLoader


def records(repo, branch):
    tree = subprocess.run(["git", "-C", repo, "ls-tree", "-r", branch, "--", "runs"],
                          check=True, capture_output=True, text=True).stdout
    oids = [line.split()[2] for line in tree.splitlines() if line.endswith("/run.yaml")]
    cat = subprocess.Popen(["git", "-C", repo, "cat-file", "--batch"],
                           stdin=subprocess.PIPE, stdout=subprocess.PIPE)
    # Feed all ids from a thread-free writer: the answers are read as we go, so
    # write in chunks small enough not to fill both pipes.
    chunk = 256
    for start in range(0, len(oids), chunk):
        batch = oids[start:start + chunk]
        cat.stdin.write(("\n".join(batch) + "\n").encode())
        cat.stdin.flush()
        for _ in batch:
            header = cat.stdout.readline().split()
            size = int(header[2])
            body = cat.stdout.read(size)
            cat.stdout.read(1)  # the newline after each object
            yield yaml.load(body, Loader=Loader)
    cat.stdin.close()
    cat.wait()


def matches(rec):
    try:
        loss = rec["metrics"]["summary"]["loss"]["last"]
        lr = rec["params"]["lr"]
    except (KeyError, TypeError):
        return False
    num = (int, float)
    return (isinstance(loss, num) and isinstance(lr, num) and not isinstance(lr, bool)
            and loss < 0.5 and lr > 0.01)


def main(argv):
    args = [a for a in argv[1:] if not a.startswith("--")]
    limit = 20
    if "--limit" in argv:
        limit = int(argv[argv.index("--limit") + 1])
        args.remove(str(limit))
    repo = args[0]
    branch = args[1] if len(args) > 1 else "trail"
    hits = []
    for rec in records(repo, branch):
        if matches(rec) and not rec.get("archived", False):
            hits.append((str(rec.get("started", "")), rec.get("number", 0), rec["id"]))
    if "--count" in argv:
        print(len(hits))
        return 0
    hits.sort(reverse=True)
    for _, _, run_id in hits[:limit]:
        print(run_id)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))

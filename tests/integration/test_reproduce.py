"""trail reproduce ID and trail env ID (docs/reproduce.md), as a new user would run them.

A run is recorded in one clone, pushed (runs branch to a bare Git remote, packs to a folder store
remote), and reproduced from a FRESH CLONE in another folder after `trail pull`: the code comes
back in a worktree of its snapshot, the data from the store, and the verdict compares the two runs.
"""
import hashlib
import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

from conftest import (PYTHON, REPO_ROOT, branch_commits, env_with, git, init_project, ls_ids,
                      make_git_repo, record, run_dir, trail, trail_popen, wait_for)

LOGISTIC = REPO_ROOT / "examples" / "logistic" / "train.py"
TORCH_MLP = REPO_ROOT / "examples" / "torch_mlp" / "train.py"
CLIENT = REPO_ROOT / "build" / "python"


def has_torch():
    return subprocess.run([PYTHON, "-c", "import torch"], capture_output=True).returncode == 0


def write_csv(path):
    """The breast-cancer table as a CSV (header, last column the 0/1 target)."""
    subprocess.run([PYTHON, "-c", f"""
import numpy as np
from sklearn.datasets import load_breast_cancer
x, y = load_breast_cancer(return_X_y=True)
np.savetxt({str(path)!r}, np.c_[x, y], delimiter=',', comments='',
           header=','.join(['f%d' % i for i in range(x.shape[1])] + ['y']))
"""], check=True)


def user_visible_state(repo):
    """Everything of the user's a reproduction must leave alone: HEAD, branch, index, files."""
    repo = Path(repo)
    files = {}
    for p in sorted(repo.rglob("*")):
        rel = p.relative_to(repo)
        if rel.parts[0] == ".git" or (rel.parts[0] == ".trail" and p.name != "config.yaml"):
            continue
        if p.is_file() and not p.is_symlink():
            files[str(rel)] = hashlib.sha256(p.read_bytes()).hexdigest()
    return {
        "head": git("rev-parse", "HEAD", cwd=repo),
        "branch": git("symbolic-ref", "HEAD", cwd=repo),
        "status": git("status", "--porcelain", "--untracked-files=all", cwd=repo),
        "index": hashlib.sha256((repo / ".git" / "index").read_bytes()).hexdigest(),
        "stash": git("stash", "list", cwd=repo),
        "files": files,
    }


def make_shared_project(tmp_path):
    """Repo A (project p) with a bare Git remote and a folder store remote; returns (a, bare, store)."""
    bare = tmp_path / "origin.git"
    git("init", "-q", "--bare", "-b", "main", str(bare), cwd=tmp_path)
    a = make_git_repo(tmp_path / "a")
    init_project(a, "p")
    git("remote", "add", "origin", str(bare), cwd=a)
    store = tmp_path / "store-remote"
    trail("remote", "add", "origin", str(store), cwd=a)
    return a, bare, store


def fresh_clone(bare, store, path):
    git("clone", "-q", str(bare), str(path), cwd=Path(path).parent)
    git("config", "user.name", "Bo Chen", cwd=path)
    git("config", "user.email", "bo@example.org", cwd=path)
    trail("remote", "add", "origin", str(store), cwd=path)
    trail("pull", cwd=path, timeout=120)
    return Path(path)


def forge_record(repo, run_id, edit):
    """Rewrites run_id's run.yaml on the runs branch with git plumbing (as another clone could)."""
    path = f"{run_dir(run_id)}/run.yaml"
    text = edit(git("show", f"trail:{path}", cwd=repo) + "\n")
    blob = git("hash-object", "-w", "--stdin", cwd=repo, input=text)
    index = Path(repo) / ".git" / "forge-index"
    env = env_with(GIT_INDEX_FILE=str(index))
    git("read-tree", "trail", cwd=repo, env=env)
    git("update-index", "--cacheinfo", f"100644,{blob},{path}", cwd=repo, env=env)
    tree = git("write-tree", cwd=repo, env=env)
    index.unlink()
    commit = git("commit-tree", tree, "-p", "trail", "-m", f"forge {run_id}", cwd=repo)
    git("update-ref", "refs/heads/trail", commit, cwd=repo)


def default_worktree(repo, run_id):
    return Path(repo) / ".git" / "trail" / "reproduce" / run_id


def assert_reproduced_identically(clone, original, reproduction, artifact):
    a, b = record(clone, original), record(clone, reproduction)
    assert b["reproduces"] == original and b["status"] == "finished"
    assert b["params"] == a["params"]
    for name, s in a["metrics"]["summary"].items():
        for stat in ("last", "min", "max"):
            assert b["metrics"]["summary"][name][stat] == s[stat], (name, stat)
    oids = lambda rec: {x["path"]: x["oid"] for x in rec["artifacts"]}
    assert oids(b)[artifact] == oids(a)[artifact]
    assert [(d["role"], d.get("oid")) for d in b.get("data", [])] == \
        [(d["role"], d.get("oid")) for d in a.get("data", [])]


# ----------------------------------------------------------------------------------------------
# From a fresh clone: both examples come out identical.


def test_logistic_example_reproduced_identically_from_a_fresh_clone(tmp_path):
    a, bare, store = make_shared_project(tmp_path)
    shutil.copy(LOGISTIC, a / "train.py")
    write_csv(a / "data.csv")
    trail("add", "data.csv", cwd=a)
    (a / ".gitignore").write_text((a / ".gitignore").read_text() + "models/\n")
    git("add", "-A", cwd=a)
    git("commit", "-q", "-m", "logistic regression", cwd=a)
    trail("run", "--data", "train=data.csv", "--artifact", "models/", "--", PYTHON, "train.py", "--epochs", "5",
          "--data", "data.csv", "--model-out", "models/m.npz", cwd=a, timeout=120)
    git("push", "-q", "origin", "main", cwd=a)
    trail("push", cwd=a, timeout=120)

    b = fresh_clone(bare, store, tmp_path / "b")
    before = user_visible_state(b)
    out = trail("reproduce", "p-1", cwd=b, check=False, timeout=300)
    assert out.returncode == 0, out.stdout + out.stderr
    assert "environment: same as recorded" in out.stdout
    assert "verdict: p-2 reproduces p-1" in out.stdout
    assert "reproduces     p-1" in trail("show", "p-2", cwd=b).stdout
    assert re.search(r"artifact\s+models/m.npz\s+identical", out.stdout), out.stdout
    assert_reproduced_identically(b, "p-1", "p-2", "models/m.npz")
    # The user's branch, index, HEAD and files are byte for byte as they were.
    assert user_visible_state(b) == before
    # The code came back in trail's worktree under the Git directory, the data with it.
    wt = default_worktree(b, "p-1")
    assert (wt / "train.py").read_bytes() == (a / "train.py").read_bytes()
    assert (wt / "data.csv").read_bytes() == (a / "data.csv").read_bytes()
    assert (wt / "models" / "m.npz").read_bytes() == (a / "models" / "m.npz").read_bytes()
    # The reproduction was recorded into the same runs branch: the main tree lists it.
    assert ls_ids(b) == ["p-2", "p-1"]
    assert not (wt / ".trail" / "live").exists() or not any((wt / ".trail" / "live").iterdir())

    # Again: trail's worktree is replaced, the verdict the same; JSON for machines.
    again = trail("reproduce", "1", "--format", "json", cwd=b, check=False, timeout=300)
    assert again.returncode == 0, again.stderr
    verdict = json.loads(again.stdout[again.stdout.index("{\n"):])
    assert verdict["verdict"] == "same" and verdict["recorded"] == "p-1" and verdict["reproduced"] == "p-3"
    assert {i["verdict"] for i in verdict["items"]} == {"identical"}
    assert verdict["environment"] == [] and verdict["worktree"] == str(default_worktree(b, "p-1"))
    assert user_visible_state(b) == before

    # --against compares two existing runs without running anything.
    against = trail("reproduce", "p-1", "--against", "p-2", cwd=b)
    assert "verdict: p-2 reproduces p-1" in against.stdout
    assert ls_ids(b) == ["p-3", "p-2", "p-1"]

    # trail env: readable, JSON, and a requirements list pip accepts.
    env_text = trail("env", "p-1", cwd=b).stdout
    assert "python" in env_text and "numpy" in env_text
    env_json = json.loads(trail("env", "p-1", "--format", "json", cwd=b).stdout)
    assert env_json == record(b, "p-1")["environment"]
    reqs = trail("env", "p-1", "--format", "requirements", cwd=b).stdout
    pins = [line for line in reqs.splitlines() if not line.startswith("#")]
    assert pins == sorted(pins) and f"numpy=={env_json['packages']['numpy']}" in pins
    assert reqs.startswith("# ") and "p-1" in reqs.splitlines()[0] and env_json["python"]["version"] in reqs
    dry = subprocess.run([PYTHON, "-m", "pip", "install", "--dry-run", "--no-index", "--no-deps", "-r", "/dev/stdin"],
                         input=reqs, capture_output=True, text=True)
    assert "Invalid requirement" not in dry.stderr, dry.stderr


def test_data_comes_from_the_store_remote_when_this_store_lacks_it(tmp_path):
    a, bare, store = make_shared_project(tmp_path)
    shutil.copy(LOGISTIC, a / "train.py")
    write_csv(a / "data.csv")
    trail("add", "data.csv", cwd=a)
    git("add", "-A", cwd=a)
    git("commit", "-q", "-m", "logistic regression", cwd=a)
    trail("run", "--data", "train=data.csv", "--", PYTHON, "train.py", "--epochs", "2", "--data", "data.csv",
          cwd=a, timeout=120)
    git("push", "-q", "origin", "main", cwd=a)
    trail("push", cwd=a, timeout=120)
    # A clone that has the runs and code refs through Git alone: no pack in its store yet.
    b = tmp_path / "b"
    git("clone", "-q", str(bare), str(b), cwd=tmp_path)
    git("fetch", "-q", "origin", "trail:trail", "refs/trail/*:refs/trail/*", cwd=b)
    trail("remote", "add", "origin", str(store), cwd=b)
    assert not (b / "data.csv").exists()
    out = trail("reproduce", "p-1", cwd=b, check=False, timeout=300)
    assert out.returncode == 0, out.stdout + out.stderr
    assert "verdict: p-2 reproduces p-1" in out.stdout
    assert (default_worktree(b, "p-1") / "data.csv").read_bytes() == (a / "data.csv").read_bytes()
    assert not (b / "data.csv").exists()  # the user's tree is not where the data went


@pytest.mark.skipif(not has_torch(), reason="torch is not installed for /usr/bin/python3")
def test_torch_example_reproduced_identically_from_a_fresh_clone(tmp_path):
    if not any(CLIENT.glob("trail/_trail*.so")):
        pytest.skip("the Python client is not built (ninja -C build _trail)")
    env = env_with(PYTHONPATH=str(CLIENT))
    a, bare, store = make_shared_project(tmp_path)
    shutil.copy(TORCH_MLP, a / "train.py")
    (a / ".gitignore").write_text("checkpoints/\n")
    git("add", "-A", cwd=a)
    git("commit", "-q", "-m", "torch mlp", cwd=a)
    trail("run", "--", PYTHON, "train.py", "--epochs", "3", cwd=a, env=env, timeout=300)
    git("push", "-q", "origin", "main", cwd=a)
    trail("push", cwd=a, timeout=120)

    b = fresh_clone(bare, store, tmp_path / "b")
    before = user_visible_state(b)
    out = trail("reproduce", "p-1", cwd=b, env=env, check=False, timeout=600)
    assert out.returncode == 0, out.stdout + out.stderr
    assert "verdict: p-2 reproduces p-1" in out.stdout
    assert_reproduced_identically(b, "p-1", "p-2", "checkpoints/mlp.pt")
    assert user_visible_state(b) == before


# ----------------------------------------------------------------------------------------------
# What does not reproduce is said so.


CLOCK_SEEDED = """\
import json, os, random, time
seed = int(time.time() * 1000) % 2**32
random.seed(seed)
with open(os.environ["TRAIL_METRICS"], "a") as f:
    for step in range(1, 4):
        f.write(json.dumps({"step": step, "loss": random.random(), "epochs_done": step}) + "\\n")
"""


def test_clock_seeded_run_is_reported_different(tmp_path):
    repo = init_project(make_git_repo(tmp_path / "repo"))
    (repo / "train.py").write_text(CLOCK_SEEDED)
    git("add", "train.py", cwd=repo)
    git("commit", "-q", "-m", "clock seed", cwd=repo)
    trail("run", "--", PYTHON, "train.py", cwd=repo)
    out = trail("reproduce", "p-1", cwd=repo, check=False, timeout=120)
    assert out.returncode == 1, out.stdout + out.stderr
    verdict = out.stdout.strip().splitlines()[-1]
    assert verdict.startswith("verdict: different") and "loss.last" in verdict, verdict
    assert "epochs_done" not in verdict  # the same in both: not named
    assert re.search(r"metric\s+loss\.last\s+different", out.stdout)
    assert record(repo, "p-2")["reproduces"] == "p-1"
    # A tolerance wide enough for any loss in [0, 1) makes it pass.
    wide = trail("reproduce", "p-1", "--against", "p-2", "--abs-tolerance", "1", cwd=repo, check=False)
    assert wide.returncode == 0, wide.stdout
    assert "within tolerance" in wide.stdout


NUMPY_SCRIPT = """\
import json, os
import numpy as np
with open(os.environ["TRAIL_METRICS"], "a") as f:
    f.write(json.dumps({"step": 1, "loss": float(np.float64(0.25))}) + "\\n")
"""


def test_edited_environment_is_listed_and_strict_refuses(tmp_path):
    repo = init_project(make_git_repo(tmp_path / "repo"))
    (repo / "train.py").write_text(NUMPY_SCRIPT)
    git("add", "train.py", cwd=repo)
    git("commit", "-q", "-m", "numpy", cwd=repo)
    trail("run", "--", PYTHON, "train.py", cwd=repo)
    installed = record(repo, "p-1")["environment"]["packages"]["numpy"]
    forge_record(repo, "p-1", lambda t: re.sub(r'(\n\s+numpy: )"?[0-9][^\n]*', r'\1"9.9"', t))
    assert record(repo, "p-1")["environment"]["packages"]["numpy"] == "9.9"

    commits = len(branch_commits(repo))
    strict = trail("reproduce", "p-1", "--strict", cwd=repo, check=False, timeout=120)
    assert strict.returncode == 2, strict.stdout + strict.stderr
    assert re.search(rf"package numpy\s+9\.9\s+{re.escape(installed)}", strict.stdout), strict.stdout
    assert "--strict" in strict.stderr and "nothing was run" in strict.stderr
    assert len(branch_commits(repo)) == commits  # nothing recorded
    assert ls_ids(repo) == ["p-1"]

    relaxed = trail("reproduce", "p-1", cwd=repo, check=False, timeout=120)
    assert re.search(rf"package numpy\s+9\.9\s+{re.escape(installed)}", relaxed.stdout), relaxed.stdout
    assert relaxed.returncode == 0, relaxed.stdout + relaxed.stderr  # the same numbers all the same
    assert record(repo, "p-2")["reproduces"] == "p-1"


READS_IF_THERE = """\
import json, os
n = len(open("data.csv").read().splitlines()) if os.path.exists("data.csv") else 0
with open(os.environ["TRAIL_METRICS"], "a") as f:
    f.write(json.dumps({"step": 1, "loss": 0.5}) + "\\n")
"""


def test_missing_data_is_named_with_its_hash(tmp_path):
    repo = init_project(make_git_repo(tmp_path / "repo"))
    (repo / "train.py").write_text(READS_IF_THERE)
    (repo / ".gitignore").write_text("data.csv\n")
    git("add", "-A", cwd=repo)
    git("commit", "-q", "-m", "data is ignored and never tracked", cwd=repo)
    (repo / "data.csv").write_text("a,b\n" + "".join(f"{i},{i % 2}\n" for i in range(200)))
    trail("run", "--data", "train=data.csv", "--", PYTHON, "train.py", cwd=repo)
    oid = record(repo, "p-1")["data"][0]["oid"]
    # Not in the snapshot (ignored); gone from the store too if `trail run` kept a copy.
    store = repo / ".git" / "trail" / "store"
    if store.exists():
        shutil.rmtree(store)
    commits = len(branch_commits(repo))
    before = user_visible_state(repo)

    out = trail("reproduce", "p-1", cwd=repo, check=False, timeout=120)
    assert out.returncode == 2, out.stdout + out.stderr
    assert oid in out.stderr and "train" in out.stderr and "--allow-missing-data" in out.stderr
    assert len(out.stderr.strip().splitlines()) == 1, out.stderr
    assert len(branch_commits(repo)) == commits
    assert user_visible_state(repo) == before

    go_on = trail("reproduce", "p-1", "--allow-missing-data", cwd=repo, check=False, timeout=120)
    assert oid in go_on.stderr  # still named, as a warning
    assert record(repo, "p-2")["reproduces"] == "p-1"
    assert go_on.returncode == 1  # the data input could not be compared: different
    assert re.search(r"data\s+train\s+different", go_on.stdout), go_on.stdout


# ----------------------------------------------------------------------------------------------
# Refusals: nothing of the user's is touched, nothing is written outside the worktree.


def simple_run(tmp_path):
    repo = init_project(make_git_repo(tmp_path / "repo"))
    trail("run", "--", PYTHON, "-c", "print('loss=0.5')", cwd=repo)
    return repo


@pytest.mark.parametrize("edit, named", [
    (lambda t: t.replace("cwd: \".\"", "cwd: ../../elsewhere"), "cwd"),
    (lambda t: t.replace("command:\n", "data:\n  - role: train\n    source: ../../etc/x\n"
                                       "    oid: sha256:" + "0" * 64 + "\ncommand:\n"), "../../etc/x"),
    (lambda t: t.replace("command:\n", "artifacts:\n  - path: /etc/passwd\n    oid: sha256:" + "0" * 64 +
                         "\ncommand:\n"), "/etc/passwd"),
    (lambda t: t.replace("command:\n", "data:\n  - role: train\n    source: .git/hooks/pre-commit\n"
                                       "command:\n"), ".git"),
])
def test_hostile_record_is_refused_with_nothing_written(tmp_path, edit, named):
    repo = simple_run(tmp_path)
    forge_record(repo, "p-1", edit)
    before = user_visible_state(repo)
    commits = len(branch_commits(repo))
    outside = sorted(str(p) for p in tmp_path.rglob("*") if ".git" not in p.parts)
    out = trail("reproduce", "p-1", cwd=repo, check=False)
    assert out.returncode == 2 and named in out.stderr, out.stderr
    assert len(out.stderr.strip().splitlines()) == 1
    assert not default_worktree(repo, "p-1").exists()
    assert user_visible_state(repo) == before
    assert len(branch_commits(repo)) == commits
    assert sorted(str(p) for p in tmp_path.rglob("*") if ".git" not in p.parts) == outside


def test_masked_secret_in_the_command_is_refused(tmp_path):
    repo = init_project(make_git_repo(tmp_path / "repo"))
    trail("run", "--", PYTHON, "-c", "import sys", "--password", "hunter2", cwd=repo)
    assert "***" in record(repo, "p-1")["command"]
    out = trail("reproduce", "p-1", cwd=repo, check=False)
    assert out.returncode == 2 and "--password" in out.stderr and "never stored" in out.stderr, out.stderr
    assert "hunter2" not in out.stderr + out.stdout
    assert ls_ids(repo) == ["p-1"]


def test_run_without_snapshot_unknown_run_and_bad_dir(tmp_path):
    repo = simple_run(tmp_path)
    out = trail("reproduce", "p-9", cwd=repo, check=False)
    assert out.returncode == 2 and "p-9" in out.stderr
    bad = trail("reproduce", "p-1", "--tolerance", "-1", cwd=repo, check=False)
    assert bad.returncode != 0
    full = tmp_path / "full"
    full.mkdir()
    (full / "keep.txt").write_text("mine")
    out = trail("reproduce", "p-1", "--dir", full, cwd=repo, check=False)
    assert out.returncode == 2 and "not an empty folder" in out.stderr
    assert (full / "keep.txt").read_text() == "mine" and len(list(full.iterdir())) == 1

    forge_record(repo, "p-1", lambda t: re.sub(r"\n  snapshot: \"?[0-9a-f]+\"?", "", t))
    git("update-ref", "-d", "refs/trail/code/p-1", cwd=repo)
    out = trail("reproduce", "p-1", cwd=repo, check=False)
    assert out.returncode == 2 and "without a code snapshot" in out.stderr, out.stderr
    assert not default_worktree(repo, "p-1").exists()


def test_no_run_prepares_and_prints_the_command(tmp_path):
    repo = init_project(make_git_repo(tmp_path / "repo"))
    (repo / "train.py").write_text(NUMPY_SCRIPT)
    git("add", "train.py", cwd=repo)
    git("commit", "-q", "-m", "numpy", cwd=repo)
    trail("run", "--", PYTHON, "train.py", "--lr", "0.1", cwd=repo)
    wt = tmp_path / "here"
    out = trail("reproduce", "p-1", "--no-run", "--dir", wt, cwd=repo)
    assert f"worktree: {wt}" in out.stdout
    assert (wt / "train.py").read_text() == NUMPY_SCRIPT
    line = [l.strip() for l in out.stdout.splitlines() if l.strip().startswith("cd ")][0]
    assert "trail run --reproduces p-1" in line and "train.py --lr 0.1" in line
    assert ls_ids(repo) == ["p-1"]
    machine = json.loads(trail("reproduce", "p-1", "--no-run", "--format", "json", cwd=repo).stdout)
    assert machine["command"][-2:] == ["--lr", "0.1"] and machine["environment"] == []
    assert machine["worktree"] == str(default_worktree(repo, "p-1"))
    # The printed command, run as printed, records the reproduction; --against compares it.
    shell_env = env_with(PATH=str(Path(os.environ.get("TRAIL_BIN", REPO_ROOT / "build" / "trail")).resolve().parent)
                         + ":" + os.environ["PATH"])
    subprocess.run(["sh", "-c", line], env=shell_env, check=True, capture_output=True)
    assert record(repo, "p-2")["reproduces"] == "p-1"
    assert record(repo, "p-2")["params"] == record(repo, "p-1")["params"]
    same = trail("reproduce", "p-1", "--against", "p-2", cwd=repo, check=False)
    assert same.returncode == 0, same.stdout
    # By hand, a run that does not exist is refused; a number is recorded as the id.
    bad = trail("run", "--reproduces", "p-99", "--", PYTHON, "train.py", cwd=repo, check=False)
    assert bad.returncode != 0 and "p-99" in bad.stderr and ls_ids(repo) == ["p-2", "p-1"]
    trail("run", "--reproduces", "1", "--", PYTHON, "train.py", cwd=repo)
    assert record(repo, "p-3")["reproduces"] == "p-1"


ENV_PROBE = """\
import json, os
e = os.environ
row = {"step": 1,
       "trail_seed": int(e.get("TRAIL_SEED", "-1")),
       "hash_seed": int(e.get("PYTHONHASHSEED", "-1")),
       "cublas": 1 if e.get("CUBLAS_WORKSPACE_CONFIG") == ":4096:8" else 0,
       "own_run_id": 1 if e.get("TRAIL_RUN_ID", "").startswith("p-") else 0,
       "in_src": 1 if os.path.basename(os.getcwd()) == "src" else 0}
with open(e["TRAIL_METRICS"], "a") as f:
    f.write(json.dumps(row) + "\\n")
"""


def test_recorded_seed_variables_and_cwd_are_given_again(tmp_path):
    repo = init_project(make_git_repo(tmp_path / "repo"))
    (repo / "src" / "probe.py").write_text(ENV_PROBE)
    git("add", "-A", cwd=repo)
    git("commit", "-q", "-m", "probe", cwd=repo)
    trail("run", "--", PYTHON, "probe.py", cwd=repo / "src")
    assert record(repo, "p-1")["cwd"] == "src"
    # What the seeds part records: a seed and the variables that matter, one trying to take over
    # the run's own TRAIL_RUN_ID (which trail always sets itself).
    forge_record(repo, "p-1", lambda t: t.replace(
        "environment:\n", "seed: 7\nenvironment:\n  variables:\n    CUBLAS_WORKSPACE_CONFIG: \":4096:8\"\n"
                          "    TRAIL_RUN_ID: evil\n", 1))
    out = trail("reproduce", "p-1", cwd=repo, check=False, timeout=120)
    assert out.returncode == 1, out.stdout + out.stderr  # the probe's values differ from the original's
    rec = record(repo, "p-2")
    assert rec["cwd"] == "src" and rec["reproduces"] == "p-1"
    last = {k: v["last"] for k, v in rec["metrics"]["summary"].items()}
    assert last == {"trail_seed": 7, "hash_seed": 7, "cublas": 1, "own_run_id": 1, "in_src": 1}
    assert "trail_seed.last" in out.stdout.strip().splitlines()[-1]


def test_url_input_is_not_verifiable_unless_allowed(tmp_path):
    repo = init_project(make_git_repo(tmp_path / "repo"))
    url = "https://example.com/data/train.csv"
    trail("run", "--data", f"train={url}", "--", PYTHON, "-c", "print('loss=0.5')", cwd=repo)
    out = trail("reproduce", "p-1", cwd=repo, check=False)
    assert out.returncode == 2 and url in out.stderr and "not verifiable" in out.stderr, out.stderr
    assert ls_ids(repo) == ["p-1"]
    allowed = trail("reproduce", "p-1", "--allow-missing-data", cwd=repo, check=False)
    assert allowed.returncode == 0, allowed.stdout + allowed.stderr
    assert "not verifiable" in allowed.stderr  # still said
    assert [d["source"] for d in record(repo, "p-2")["data"]] == [url]


def test_a_running_reproduction_keeps_its_worktree(tmp_path):
    repo = init_project(make_git_repo(tmp_path / "repo"))
    (repo / "slow.py").write_text("import time\ntime.sleep(4)\nprint('loss=0.5')\n")
    git("add", "slow.py", cwd=repo)
    git("commit", "-q", "-m", "slow", cwd=repo)
    trail("run", "--", PYTHON, "slow.py", cwd=repo, timeout=60)
    first = trail_popen("reproduce", "p-1", cwd=repo)
    live = default_worktree(repo, "p-1") / ".trail" / "live"
    wait_for(lambda: live.exists() and any(p.name.startswith("p-") for p in live.iterdir()), timeout=30,
             what="the first reproduction to start recording")
    second = trail("reproduce", "p-1", cwd=repo, check=False, timeout=60)
    assert second.returncode == 2 and "still running" in second.stderr, second.stderr
    out, err = first.communicate(timeout=60)
    assert first.returncode == 0, out.decode() + err.decode()
    assert ls_ids(repo) == ["p-2", "p-1"] and record(repo, "p-2")["reproduces"] == "p-1"

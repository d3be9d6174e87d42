"""trail add / status / checkout: data versioned with pointer files, content in the object store."""
import json
import os
import signal
import subprocess
import time
from pathlib import Path

import yaml

from conftest import git, sha256_file, trail, trail_popen, wait_for


def random_file(path, size, seed=0):
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    # Deterministic but incompressible bytes (the store compresses only when it pays).
    import random
    rng = random.Random(seed)
    with open(path, "wb") as f:
        for start in range(0, size, 1 << 24):
            f.write(rng.randbytes(min(1 << 24, size - start)))
    return path


def store_files(repo):
    root = Path(repo) / ".git" / "trail" / "store"
    return sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file() and p.name != "lock")


def test_add_writes_pointer_gitignores_and_restores_after_delete(project):
    data = random_file(project / "data" / "train.bin", 3_000_000, seed=1)
    (project / "data" / "labels.csv").write_text("id,label\n" + "".join(f"{i},{i % 3}\n" for i in range(5000)))
    want = {p.name: sha256_file(p) for p in (project / "data").iterdir()}
    out = trail("add", "data", cwd=project).stdout
    assert "stored" in out and "data.trail" in out

    pointer = yaml.safe_load((project / "data.trail").read_text())
    assert pointer["trail"] == 1 and pointer["type"] == "folder" and pointer["files"] == 2
    assert pointer["size"] == 3_000_000 + (project / "data" / "labels.csv").stat().st_size
    assert pointer["oid"].startswith("sha256:") and len(pointer["oid"]) == 71
    assert "/data" in (project / ".gitignore").read_text().splitlines()
    # Git sees the pointer and the .gitignore, never the data.
    status = git("status", "--porcelain", "--untracked-files=all", cwd=project)
    assert "data.trail" in status and ".gitignore" in status and "train.bin" not in status

    assert "all up to date" in trail("status", cwd=project).stdout
    subprocess.run(["rm", "-rf", str(project / "data")], check=True)
    assert "missing   data" in trail("status", cwd=project).stdout
    trail("checkout", cwd=project)
    assert {p.name: sha256_file(p) for p in (project / "data").iterdir()} == want


def test_single_file_oid_is_the_git_lfs_oid(project):
    f = random_file(project / "model.bin", 1_500_000, seed=2)
    trail("add", "model.bin", cwd=project)
    pointer = yaml.safe_load((project / "model.bin.trail").read_text())
    assert pointer == {"trail": 1, "type": "file", "oid": "sha256:" + sha256_file(f), "size": 1_500_000, "files": 1}
    # Adding it again changes nothing.
    assert "unchanged model.bin" in trail("add", "model.bin", cwd=project).stdout
    # --format json (issue 19): one document on stdout, what was stored and what to commit.
    added = json.loads(trail("add", "model.bin", "--format", "json", cwd=project).stdout)
    assert added["added"] == [{"path": "model.bin", "pointer": "model.bin.trail", "oid": pointer["oid"],
                               "size": 1_500_000, "folder": False, "files": None, "unchanged": True,
                               "skipped": []}]
    assert added["to_commit"] == ["model.bin.trail", ".gitignore"]
    status = json.loads(trail("status", "--format", "json", cwd=project).stdout)
    assert status == {"tracked": [{"path": "model.bin", "state": "ok", "in_store": True}]}
    f.write_bytes(b"changed")
    status = json.loads(trail("status", "--format", "json", cwd=project).stdout)
    assert status["tracked"][0]["state"] == "modified"
    missing = trail("add", "nothing.bin", "--format", "json", cwd=project, check=False)
    assert missing.returncode == 1 and missing.stdout == "" and len(missing.stderr.strip().splitlines()) == 1


def test_modified_data_is_reported_and_checkout_refuses_without_force(project):
    f = random_file(project / "w.bin", 500_000, seed=3)
    original = sha256_file(f)
    trail("add", "w.bin", cwd=project)
    with open(f, "r+b") as fh:
        fh.seek(1000)
        fh.write(b"changed")
    assert "modified  w.bin" in trail("status", cwd=project).stdout
    proc = trail("checkout", cwd=project, check=False)
    assert proc.returncode != 0 and "would be lost: w.bin" in proc.stderr
    assert sha256_file(f) != original  # nothing written
    trail("checkout", "--force", "w.bin", cwd=project)
    assert sha256_file(f) == original


def test_checkout_of_an_older_commit_restores_that_version(project):
    f = project / "data.csv"
    f.write_text("a,b\n1,2\n")
    trail("add", "data.csv", cwd=project)
    git("add", "data.csv.trail", ".gitignore", cwd=project)
    git("commit", "-qm", "data v1", cwd=project)
    f.write_text("a,b\n1,2\n3,4\n")
    trail("add", "data.csv", cwd=project)
    git("commit", "-qam", "data v2", cwd=project)
    git("checkout", "-q", "HEAD~1", cwd=project)
    trail("checkout", "--force", cwd=project)
    assert f.read_text() == "a,b\n1,2\n"
    git("checkout", "-q", "main", cwd=project)
    trail("checkout", "--force", cwd=project)
    assert f.read_text() == "a,b\n1,2\n3,4\n"


def test_dedup_between_versions(project):
    f = random_file(project / "ckpt.pt", 8_000_000, seed=4)
    trail("add", "ckpt.pt", cwd=project)
    size1 = sum((project / ".git/trail/store" / p).stat().st_size for p in store_files(project))
    with open(f, "r+b") as fh:  # rewrite 2% in the middle
        fh.seek(4_000_000)
        fh.write(os.urandom(160_000))
    trail("add", "ckpt.pt", cwd=project)
    size2 = sum((project / ".git/trail/store" / p).stat().st_size for p in store_files(project))
    assert size2 - size1 < 0.25 * 8_000_000, (size1, size2)


def test_bad_input_is_refused_with_nothing_written(project, tmp_path):
    before = store_files(project)
    cases = [
        (("add", "nope.csv"), "no such file or folder: nope.csv"),
        (("add", str(tmp_path)), "is outside the repository"),
        (("add", "app.py"), "app.py is tracked by Git"),
        (("add", ".git/config"), "inside .git/"),
        (("status", "nothing.csv"), "nothing.csv is not tracked"),
        (("checkout", "nothing.csv"), "nothing.csv is not tracked"),
    ]
    for args, message in cases:
        proc = trail(*args, cwd=project, check=False)
        assert proc.returncode != 0, args
        assert message in proc.stderr, (args, proc.stderr)
        assert len(proc.stderr.strip().splitlines()) == 1, proc.stderr
    assert store_files(project) == before
    (project / "bad.csv.trail").write_text("trail: 1\noid: sha256:xyz\nsize: 3\n")
    proc = trail("status", cwd=project, check=False)
    assert proc.returncode != 0 and "bad.csv.trail: not a trail pointer file: bad oid" in proc.stderr


def test_nested_pointers_are_refused(project):
    (project / "d").mkdir()
    (project / "d" / "a.csv").write_text("x\n1\n")
    trail("add", "d/a.csv", cwd=project)
    proc = trail("add", "d", cwd=project, check=False)
    assert proc.returncode != 0 and "holds tracked data" in proc.stderr
    proc = trail("add", "d/a.csv", cwd=project)
    (project / "e").mkdir()
    (project / "e" / "b.csv").write_text("x\n1\n")
    trail("add", "e", cwd=project)
    proc = trail("add", "e/b.csv", cwd=project, check=False)
    assert proc.returncode != 0 and "inside e, which is tracked already" in proc.stderr


def test_missing_store_content_says_pull(project):
    random_file(project / "x.bin", 100_000, seed=5)
    trail("add", "x.bin", cwd=project)
    subprocess.run(["rm", "-rf", str(project / ".git/trail/store"), str(project / "x.bin")], check=True)
    assert "not in the local store" in trail("status", cwd=project).stdout
    proc = trail("checkout", cwd=project, check=False)
    assert proc.returncode != 0 and "trail pull" in proc.stderr


def test_two_concurrent_adds_are_safe(project):
    a = random_file(project / "a.bin", 20_000_000, seed=6)
    b = random_file(project / "b.bin", 20_000_000, seed=7)
    procs = [trail_popen("add", name, cwd=project) for name in ("a.bin", "b.bin")]
    for p in procs:
        out, err = p.communicate(timeout=120)
        assert p.returncode == 0, err
    want = {n: sha256_file(project / n) for n in ("a.bin", "b.bin")}
    os.remove(a)
    os.remove(b)
    trail("checkout", cwd=project)
    assert {n: sha256_file(project / n) for n in ("a.bin", "b.bin")} == want


def test_kill_during_add_leaves_no_half_state(project):
    big = random_file(project / "big.bin", 400_000_000, seed=8)
    index = project / ".git" / "trail" / "store" / "index"
    proc = trail_popen("add", "big.bin", cwd=project)
    # Kill it part way: once its first pack is published (an add of this size takes well under
    # a second now, so a fixed sleep could miss it).
    deadline = time.monotonic() + 60
    while proc.poll() is None and time.monotonic() < deadline:
        if index.is_dir() and any(index.iterdir()):
            break
        time.sleep(0.002)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    assert proc.returncode == -signal.SIGKILL, "the add finished before it could be killed"
    assert not (project / "big.bin.trail").exists()  # no pointer to content that is not all there
    # Whatever packs are visible (have an index) are complete; the add completes when run again.
    trail("add", "big.bin", cwd=project)
    want = sha256_file(big)
    os.remove(big)
    trail("checkout", cwd=project)
    assert sha256_file(big) == want

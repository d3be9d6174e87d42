"""trail gc and trail fsck: what is kept, what goes, what a damaged store reports."""
import json
import os
import signal
import time
from pathlib import Path

from conftest import git, sha256_file, trail, trail_popen


def store_dir(repo):
    return Path(repo) / ".git" / "trail" / "store"


def store_files(repo):
    root = store_dir(repo)
    return sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file() and p.name != "lock")


def packs(repo):
    return sorted(store_dir(repo).glob("packs/*/*.pack"))


def write_random(path, size, seed):
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    import random
    rng = random.Random(seed)
    path.write_bytes(rng.randbytes(size))
    return sha256_file(path)


def add(repo, rel, size, seed):
    digest = write_random(Path(repo) / rel, size, seed)
    trail("add", rel, cwd=repo)
    return digest


def pack_of(repo, rel):
    """The pack that holds `rel`: the newest pack right after adding it alone."""
    return max(packs(repo), key=lambda p: p.stat().st_mtime_ns)


def test_gc_removes_only_what_nothing_needs(project):
    kept = add(project, "kept.bin", 400_000, 1)
    git("add", "kept.bin.trail", ".gitignore", cwd=project)
    git("commit", "-q", "-m", "data", cwd=project)
    add(project, "gone.bin", 400_000, 2)
    os.remove(project / "gone.bin.trail")
    os.remove(project / "gone.bin")
    assert len(packs(project)) == 2

    before = store_files(project)
    dry = trail("gc", "--dry-run", cwd=project)
    assert "would remove 1 packs" in dry.stdout, dry.stdout
    assert store_files(project) == before
    dry = json.loads(trail("gc", "--dry-run", "--format", "json", cwd=project).stdout)
    assert dry["dry_run"] is True and dry["removed_packs"] == 1 and dry["freed_bytes"] > 0
    assert [a["action"] for a in dry["actions"]] == ["remove"] and len(dry["actions"][0]["pack"]) == 64
    assert store_files(project) == before

    out = trail("gc", cwd=project)
    assert "removed 1 packs, rewrote 0" in out.stdout, out.stdout
    assert len(packs(project)) == 1

    os.remove(project / "kept.bin")
    trail("checkout", cwd=project)
    assert sha256_file(project / "kept.bin") == kept
    assert trail("fsck", cwd=project).returncode == 0


def test_old_commits_on_a_branch_and_tags_keep_their_data(project):
    old = add(project, "old.bin", 300_000, 3)
    git("add", "-A", cwd=project)
    git("commit", "-q", "-m", "old", cwd=project)
    git("rm", "-q", "old.bin.trail", cwd=project)
    git("commit", "-q", "-m", "drop old", cwd=project)
    os.remove(project / "old.bin")

    git("checkout", "-q", "-b", "side", cwd=project)
    tagged = add(project, "tagged.bin", 300_000, 4)
    git("add", "tagged.bin.trail", ".gitignore", cwd=project)
    git("commit", "-q", "-m", "tagged", cwd=project)
    git("tag", "v1", cwd=project)
    git("checkout", "-q", "main", cwd=project)
    git("branch", "-q", "-D", "side", cwd=project)
    (project / "tagged.bin").unlink()

    add(project, "junk.bin", 300_000, 5)
    os.remove(project / "junk.bin.trail")
    git("checkout", "-q", "--", ".gitignore", cwd=project)
    assert len(packs(project)) == 3

    out = trail("gc", cwd=project)
    assert "removed 1 packs" in out.stdout, out.stdout
    assert len(packs(project)) == 2

    git("checkout", "-q", "HEAD~1", cwd=project)
    trail("checkout", cwd=project)
    assert sha256_file(project / "old.bin") == old
    git("checkout", "-q", "v1", cwd=project)
    trail("checkout", cwd=project)
    assert sha256_file(project / "tagged.bin") == tagged


def test_fsck_clean_store(project):
    add(project, "data/train.csv", 300_000, 6)
    out = trail("fsck", cwd=project)
    assert out.returncode == 0
    assert "no problems" in out.stdout
    report = json.loads(trail("fsck", "--format", "json", cwd=project).stdout)
    assert report["clean"] is True and report["problems"] == [] and report["packs"] == 1 and report["objects"] >= 1


def flip_byte(path, at):
    with open(path, "r+b") as f:
        f.seek(at)
        b = f.read(1)
        f.seek(at)
        f.write(bytes([b[0] ^ 0x5A]))


def test_fsck_names_corrupt_pack_and_the_data(project):
    add(project, "data/train.csv", 300_000, 7)
    pack = pack_of(project, "data/train.csv")
    flip_byte(pack, 200)
    out = trail("fsck", cwd=project, check=False)
    assert out.returncode == 1, out.stdout + out.stderr
    assert f"corrupt pack {pack.stem}" in out.stdout
    assert "needed by data/train.csv (pointer in worktree)" in out.stdout
    out = trail("fsck", "--format", "json", cwd=project, check=False)
    report = json.loads(out.stdout)
    assert out.returncode == 1 and report["clean"] is False
    assert any(p.startswith(f"corrupt pack {pack.stem}") for p in report["problems"]), report
    # gc refuses to guess, or keeps it: either way the pack is not deleted
    trail("gc", cwd=project, check=False)
    assert pack.exists()


def test_fsck_truncated_pack_is_named_not_a_crash(project):
    add(project, "data/train.csv", 300_000, 8)
    pack = pack_of(project, "data/train.csv")
    with open(pack, "r+b") as f:
        f.truncate(pack.stat().st_size // 2)
    out = trail("fsck", cwd=project, check=False)
    assert out.returncode == 1, out.stdout + out.stderr
    assert pack.stem in out.stdout
    assert "needed by data/train.csv" in out.stdout


def test_fsck_names_missing_pack(project):
    add(project, "model.pt", 300_000, 9)
    git("add", "model.pt.trail", ".gitignore", cwd=project)
    git("commit", "-q", "-m", "model", cwd=project)
    pack = pack_of(project, "model.pt")
    pack.unlink()
    out = trail("fsck", cwd=project, check=False)
    assert out.returncode == 1
    assert f"missing pack {pack.stem}" in out.stdout
    assert "needed by model.pt (pointer in worktree)" in out.stdout
    assert "needed by model.pt.trail (committed)" in out.stdout


def test_kill_during_add_leaves_no_visible_half_state(project):
    big = project / "big.bin"
    with open(big, "wb") as f:
        for i in range(300):
            f.write(os.urandom(1 << 20))
    proc = trail_popen("add", "big.bin", cwd=project)
    time.sleep(0.3)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    assert trail("status", cwd=project).returncode == 0
    fsck = trail("fsck", cwd=project, check=False)
    assert fsck.returncode == 0, fsck.stdout + fsck.stderr
    trail("add", "big.bin", cwd=project, timeout=300)
    assert trail("fsck", cwd=project).returncode == 0
    # the interrupted add's leftovers go with gc (temp files only once they are an hour old)
    trail("gc", cwd=project)
    os.remove(big)
    trail("checkout", cwd=project, timeout=300)
    assert big.exists() and big.stat().st_size == 300 << 20

"""The store never loses data, and damage is found and repaired (issue 13, items 6-9 and 17):
gc against concurrent writers and damaged repositories, lost pack indexes, re-adding lost data,
pointer files that are wrong or malformed."""
import fcntl
import os
import subprocess
import time
from pathlib import Path

import pytest

from conftest import PYTHON, git, record, sha256_file, trail, trail_popen, wait_for, write_script


def store_dir(repo):
    return Path(repo) / ".git" / "trail" / "store"


def packs(repo):
    return sorted(store_dir(repo).glob("packs/*/*.pack"))


def indexes(repo):
    return sorted(store_dir(repo).glob("index/*.idx"))


def write_random(path, size):
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(os.urandom(size))
    return sha256_file(path)


def add(repo, rel, size):
    digest = write_random(Path(repo) / rel, size)
    trail("add", rel, cwd=repo)
    return digest


def restore_ok(repo, rel, digest):
    """Deletes `rel`, checks it out again and compares."""
    os.remove(Path(repo) / rel)
    trail("checkout", rel, cwd=repo)
    return sha256_file(Path(repo) / rel) == digest


# --- item 6: gc racing add -------------------------------------------------------------------

def test_gc_waits_until_a_concurrent_add_has_written_its_pointer(project):
    """An add holds data.lock only to write its pointers; holding it here parks the add in the
    window between storing its packs and naming them, which is where gc used to strike."""
    digest = write_random(project / "f.bin", 3_000_000)
    (project / ".trail").mkdir(exist_ok=True)
    with open(project / ".trail" / "data.lock", "a+") as held:
        fcntl.flock(held, fcntl.LOCK_EX)
        adding = trail_popen("add", "f.bin", cwd=project)
        wait_for(lambda: indexes(project), what="the add's pack to be published")
        gc = trail_popen("gc", cwd=project)
        try:
            gc.wait(timeout=3)  # before the fix: gc finished here, deleting the new pack
        except subprocess.TimeoutExpired:
            pass  # it waits for the add, as it must
        fcntl.flock(held, fcntl.LOCK_UN)
    out, err = adding.communicate(timeout=60)
    assert adding.returncode == 0, err
    gc_out, gc_err = gc.communicate(timeout=60)
    assert gc.returncode == 0, gc_err
    assert b"stored" in out
    assert restore_ok(project, "f.bin", digest)
    assert trail("fsck", cwd=project).returncode == 0


def test_gc_racing_adds_in_a_loop_never_loses_a_stored_file(project):
    for i in range(5):
        rel = f"f{i}.bin"
        digest = write_random(project / rel, 20_000_000)
        adding = trail_popen("add", rel, cwd=project)
        time.sleep(0.02 * i)
        gc = trail("gc", cwd=project, check=False)
        assert gc.returncode == 0, gc.stderr
        out, err = adding.communicate(timeout=120)
        assert adding.returncode == 0, err
        assert restore_ok(project, rel, digest), f"round {i}: {rel} was lost"
    assert trail("fsck", cwd=project).returncode == 0


# --- item 7: a damaged runs branch stops gc ----------------------------------------------------

TRAIN = """
import os
with open("model.bin", "wb") as f:
    f.write(os.urandom(300_000))
"""


def run_with_artifact(project, scripts):
    script = write_script(scripts, "train.py", TRAIN)
    trail("run", "--artifact", "model.bin", "--", PYTHON, script, cwd=project)
    return record(project, "p-1")["artifacts"][0]["oid"]


def set_ref(project, ref, target):
    """Writes a loose ref directly: git itself refuses to point a branch at a non-commit."""
    git("pack-refs", "--all", cwd=project)
    path = Path(project) / ".git" / ref
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(target + "\n")


@pytest.mark.parametrize("target", ["tree", "blob", "missing"])
def test_gc_stops_when_the_runs_branch_is_damaged(project, scripts, target):
    run_with_artifact(project, scripts)
    os.remove(project / "model.bin")
    before = packs(project)
    assert before
    good = git("rev-parse", "trail", cwd=project).strip()
    oid = {"tree": git("rev-parse", "trail^{tree}", cwd=project).strip(),
           "blob": git("rev-parse", "trail:" + git("ls-tree", "-r", "--name-only", "trail", cwd=project).split()[0],
                       cwd=project).strip(),
           "missing": "0123456789abcdef0123456789abcdef01234567"}[target]
    set_ref(project, "refs/heads/trail", oid)
    out = trail("gc", cwd=project, check=False)
    assert out.returncode != 0, out.stdout
    assert "refs/heads/trail" in out.stderr and len(out.stderr.strip().splitlines()) == 1, out.stderr
    assert packs(project) == before
    set_ref(project, "refs/heads/trail", good)
    trail("gc", cwd=project)
    assert packs(project) == before  # the run still needs them


def test_gc_stops_on_a_pointer_that_does_not_parse(project):
    digest = add(project, "kept.bin", 200_000)
    os.remove(project / "kept.bin.trail")
    (project / "kept.bin.trail").write_text("trail: 1\noid: sha256:nothex\n")
    before = packs(project)
    out = trail("gc", cwd=project, check=False)
    assert out.returncode != 0
    assert "kept.bin.trail" in out.stderr and "nothing was deleted" in out.stderr
    assert packs(project) == before


# --- item 8: a pack whose .idx was lost ------------------------------------------------------

def test_gc_rebuilds_a_lost_index_instead_of_deleting_the_pack(project):
    digest = add(project, "model.pt", 400_000)
    [idx] = indexes(project)
    idx.unlink()
    note = trail("fsck", cwd=project, check=False)
    assert "--repair" in note.stderr + note.stdout
    out = trail("gc", cwd=project)
    assert "rebuilt index of pack " + idx.stem in out.stdout, out.stdout
    assert [p.stem for p in packs(project)] == [idx.stem]
    assert restore_ok(project, "model.pt", digest)
    assert trail("fsck", cwd=project).returncode == 0


def test_fsck_repair_rebuilds_a_lost_index(project):
    digest = add(project, "model.pt", 400_000)
    [idx] = indexes(project)
    idx.unlink()
    out = trail("fsck", "--repair", cwd=project)
    assert "rebuilt index of pack " + idx.stem in out.stdout
    assert idx.exists()
    assert restore_ok(project, "model.pt", digest)


def test_fsck_repair_rebuilds_a_corrupt_index(project):
    digest = add(project, "model.pt", 400_000)
    [idx] = indexes(project)
    idx.write_bytes(b"garbage")
    assert trail("fsck", cwd=project, check=False).returncode == 1
    trail("fsck", "--repair", cwd=project)
    assert restore_ok(project, "model.pt", digest)


# --- item 9: re-adding restores what was lost --------------------------------------------------

def test_readding_after_a_pack_was_deleted_restores_it(project):
    digest = add(project, "data.bin", 500_000)
    git("add", "data.bin.trail", ".gitignore", cwd=project)
    git("commit", "-q", "-m", "data", cwd=project)
    [pack] = packs(project)
    pack.unlink()
    status = trail("status", cwd=project)
    assert "all up to date" not in status.stdout
    assert "not in the local store" in status.stdout
    assert trail("fsck", cwd=project, check=False).returncode == 1
    trail("add", "data.bin", cwd=project)
    assert trail("fsck", "--repair", cwd=project).returncode == 0
    assert trail("fsck", cwd=project).returncode == 0
    assert restore_ok(project, "data.bin", digest)


def test_readding_after_a_pack_was_truncated_restores_it(project):
    digest = add(project, "data.bin", 500_000)
    [pack] = packs(project)
    with open(pack, "r+b") as f:
        f.truncate(pack.stat().st_size // 2)
    trail("add", "data.bin", cwd=project)
    trail("fsck", "--repair", cwd=project)
    assert trail("fsck", cwd=project).returncode == 0
    assert restore_ok(project, "data.bin", digest)


def flip_byte(path, at):
    with open(path, "r+b") as f:
        f.seek(at)
        b = f.read(1)
        f.seek(at)
        f.write(bytes([b[0] ^ 0x5A]))


def test_repair_then_readd_after_a_pack_was_damaged(project):
    digest = add(project, "data.bin", 500_000)
    other = add(project, "other.bin", 300_000)
    damaged = max(packs(project), key=lambda p: p.stat().st_mtime_ns)  # other.bin's pack
    data_pack = [p for p in packs(project) if p != damaged][0]
    flip_byte(data_pack, 100)
    assert trail("fsck", cwd=project, check=False).returncode == 1
    repaired = trail("fsck", "--repair", cwd=project, check=False)
    assert "moved damaged pack " + data_pack.stem in repaired.stdout, repaired.stdout
    assert (store_dir(project) / "damaged" / data_pack.name).exists()  # kept, not deleted
    assert "needed by data.bin" in repaired.stdout and repaired.returncode == 1
    trail("add", "data.bin", cwd=project)
    assert trail("fsck", cwd=project).returncode == 0
    assert restore_ok(project, "data.bin", digest)
    assert restore_ok(project, "other.bin", other)


# --- item 17: pointers that are wrong or malformed ---------------------------------------------

def test_a_wrong_size_in_a_pointer_is_reported(project):
    add(project, "a.bin", 100_000)
    text = (project / "a.bin.trail").read_text().replace("size: 100000", "size: 99999999999999")
    (project / "a.bin.trail").write_text(text)
    out = trail("status", cwd=project, check=False)
    assert out.returncode != 0
    assert "a.bin.trail" in out.stderr and "99999999999999" in out.stderr
    os.remove(project / "a.bin")
    co = trail("checkout", cwd=project, check=False)
    assert co.returncode != 0 and "a.bin.trail" in co.stderr
    assert not (project / "a.bin").exists()


def test_one_malformed_pointer_does_not_block_the_others(project):
    good = add(project, "good.bin", 100_000)
    (project / "bad.bin.trail").write_text("trail: 1\ntype: file\noid: nonsense\n")
    out = trail("status", cwd=project, check=False)
    assert out.returncode != 0
    assert "bad.bin.trail" in out.stderr
    os.remove(project / "good.bin")
    status = trail("status", cwd=project, check=False)
    assert "missing" in status.stdout and "good.bin" in status.stdout
    co = trail("checkout", cwd=project, check=False)
    assert co.returncode != 0 and "bad.bin.trail" in co.stderr
    assert sha256_file(project / "good.bin") == good

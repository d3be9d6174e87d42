"""`trail apply ID` (issue 15): a run's code snapshot and data brought into the working tree to
continue from it, as DVC's `exp apply` does, but never over the user's uncommitted work.

A user records a run from a dirty tree (an edited file, an untracked file, a deleted file) with a
data input tracked by `trail add`, then moves on; `apply` brings the run back while HEAD, the
branch and the index stay where they are."""
import json
import os
from pathlib import Path

import pytest
import yaml

from conftest import PYTHON, git, git_ok, record, sha256_file, trail, write_script
from test_restore_safety import rewrite_record

EDITED_APP = "def handler(request):\n    return 'tuned'\n"
NOTES = "lr 0.01 looked best\n"
TRAIN = b"x,y\n1,2\n3,4\n5,6\n"


@pytest.fixture
def ran(project, scripts):
    """p-1: ran with app.py edited, notes.txt untracked, README.md deleted, data/train.csv (tracked
    with trail add) as its train data. Afterwards the user went back to a clean HEAD and removed the
    data file."""
    (project / "data").mkdir()
    (project / "data" / "train.csv").write_bytes(TRAIN)
    trail("add", "data/train.csv", cwd=project)
    git("add", "data/train.csv.trail", "data/.gitignore", cwd=project)
    git("commit", "-q", "-m", "track the training data", cwd=project)
    (project / "app.py").write_text(EDITED_APP)
    (project / "notes.txt").write_text(NOTES)
    git("rm", "-q", "README.md", cwd=project)
    script = write_script(scripts, "train.py", "print('loss=0.5')\n")
    trail("run", "--data", "train=data/train.csv", "--", PYTHON, script, cwd=project)
    git("reset", "-q", "--hard", cwd=project)
    (project / "notes.txt").unlink()
    (project / "data" / "train.csv").unlink()
    return project


def snapshot_of(repo, run_id="p-1"):
    return record(repo, run_id)["code"]["snapshot"]


def where_git_is(repo):
    """HEAD, the checked-out branch and the index, which apply must leave alone."""
    return (git("rev-parse", "HEAD", cwd=repo), git("symbolic-ref", "-q", "HEAD", cwd=repo, check=False),
            git("ls-files", "-s", cwd=repo))


def work_tree_files(repo):
    """Tracked and untracked non-ignored files that exist in the working tree."""
    names = git("ls-files", "-z", "-co", "--exclude-standard", cwd=repo).split("\0")
    return sorted({n for n in names if n and os.path.lexists(repo / n)})


def refused(proc, first_words, *paths):
    assert proc.returncode != 0, proc.stdout
    lines = proc.stderr.strip().splitlines()
    assert first_words in lines[0], proc.stderr
    for p in paths:
        assert any(line.strip().startswith(p) for line in lines[1:]), proc.stderr


def test_apply_makes_the_work_tree_the_snapshot_and_restores_data(ran):
    before = where_git_is(ran)
    (ran / "mine.txt").write_text("not the run's business\n")  # untracked, unknown to the run
    proc = trail("apply", "p-1", cwd=ran)
    assert "1 file changed, 1 added, 1 deleted" in proc.stdout
    assert "data/train.csv restored" in proc.stdout
    assert where_git_is(ran) == before
    snap = snapshot_of(ran)
    in_snapshot = git("ls-tree", "-r", "--name-only", "-z", snap, cwd=ran).strip("\0").split("\0")
    assert work_tree_files(ran) == sorted(in_snapshot + ["mine.txt"])
    for name in in_snapshot:
        assert (ran / name).read_bytes() == git("show", f"{snap}:{name}", cwd=ran, text=False), name
    assert (ran / "app.py").read_text() == EDITED_APP
    assert (ran / "notes.txt").read_text() == NOTES
    assert not (ran / "README.md").exists()
    assert (ran / "mine.txt").read_text() == "not the run's business\n"
    assert sha256_file(ran / "data" / "train.csv") == record(ran, "p-1")["data"][0]["oid"].split(":")[1]
    status = git("status", "--porcelain", cwd=ran).splitlines()
    assert sorted(status) == [" D README.md", " M app.py", "?? mine.txt", "?? notes.txt"]
    # Applying again changes nothing: everything already is as the run had it.
    again = trail("apply", "p-1", "--format", "json", cwd=ran)
    out = json.loads(again.stdout)
    assert out["changed"] == out["added"] == out["deleted"] == []
    assert [d["state"] for d in out["data"]] == ["present"]


def test_apply_refuses_an_untracked_file_in_the_way_and_touches_nothing(ran):
    notes = ran / "notes.txt"
    notes.write_text("my own notes\n")
    os.utime(notes, (1_000_000_000, 1_000_000_000))
    app = (ran / "app.py").read_bytes()
    before = where_git_is(ran)
    proc = trail("apply", "p-1", cwd=ran, check=False)
    refused(proc, "would overwrite your uncommitted work in 1 file", "notes.txt (untracked)")
    assert notes.read_text() == "my own notes\n"
    assert os.stat(notes).st_mtime == 1_000_000_000
    assert (ran / "app.py").read_bytes() == app
    assert (ran / "README.md").exists()
    assert not (ran / "data" / "train.csv").exists()
    assert where_git_is(ran) == before


def test_apply_refuses_modified_and_staged_files(ran):
    (ran / "app.py").write_text("def handler(request):\n    return 'mine'\n")
    (ran / "README.md").write_text("# my readme\n")
    git("add", "README.md", cwd=ran)
    proc = trail("apply", "p-1", cwd=ran, check=False)
    refused(proc, "in 2 files", "README.md (staged)", "app.py (modified)")
    assert (ran / "app.py").read_text().endswith("'mine'\n")
    assert not (ran / "notes.txt").exists()


def test_a_file_that_already_holds_the_snapshots_content_is_no_conflict(ran):
    (ran / "notes.txt").write_text(NOTES)
    (ran / "app.py").write_text(EDITED_APP)
    proc = trail("apply", "p-1", cwd=ran)
    assert "0 files changed, 0 added, 1 deleted" in proc.stdout


def test_stash_puts_the_users_work_aside_and_git_stash_pop_brings_it_back(ran):
    (ran / "notes.txt").write_text("my own notes\n")
    (ran / "app.py").write_text("def handler(request):\n    return 'mine'\n")
    proc = trail("apply", "p-1", "--stash", cwd=ran)
    assert "stashed your changes" in proc.stdout and "git stash pop" in proc.stdout
    assert "trail apply p-1" in git("stash", "list", cwd=ran)
    assert (ran / "notes.txt").read_text() == NOTES
    assert (ran / "app.py").read_text() == EDITED_APP
    # The user drops what apply brought and takes their own work back.
    git("checkout", "--", ".", cwd=ran)
    (ran / "notes.txt").unlink()
    git("stash", "pop", cwd=ran)
    assert (ran / "notes.txt").read_text() == "my own notes\n"
    assert (ran / "app.py").read_text().endswith("'mine'\n")


def test_data_the_store_does_not_hold_is_refused_even_with_stash(ran):
    data = ran / "data" / "train.csv"
    data.write_bytes(b"x,y\n9,9\n")  # the user's new data, never added
    for extra in ([], ["--stash"]):
        proc = trail("apply", "p-1", *extra, cwd=ran, check=False)
        refused(proc, "would overwrite data that exists nowhere else", "data/train.csv")
        assert data.read_bytes() == b"x,y\n9,9\n"
        assert git("stash", "list", cwd=ran) == ""
        assert (ran / "app.py").read_text() != EDITED_APP


def test_data_the_store_holds_is_replaced_with_the_recorded_bytes(ran):
    data = ran / "data" / "train.csv"
    data.write_bytes(b"x,y\n7,7\n")
    trail("add", "data/train.csv", cwd=ran)  # a newer version, stored
    git("commit", "-q", "-am", "newer data", cwd=ran)
    trail("apply", "p-1", cwd=ran)
    assert data.read_bytes() == TRAIN


def test_branch_creates_a_branch_at_the_snapshot_and_switches_to_it(ran):
    proc = trail("apply", "p-1", "--branch", "from-p1", cwd=ran)
    assert "switched to a new branch from-p1" in proc.stdout
    assert git("symbolic-ref", "HEAD", cwd=ran) == "refs/heads/from-p1"
    assert git("rev-parse", "HEAD", cwd=ran) == snapshot_of(ran)
    assert git("status", "--porcelain", cwd=ran) == ""
    assert (ran / "app.py").read_text() == EDITED_APP
    assert (ran / "data" / "train.csv").read_bytes() == TRAIN
    assert git_ok("rev-parse", "--verify", "main", cwd=ran)


def test_branch_refuses_an_existing_name_and_a_switch_git_refuses(ran):
    git("branch", "taken", cwd=ran)
    proc = trail("apply", "p-1", "--branch", "taken", cwd=ran, check=False)
    assert proc.returncode != 0 and "already exists" in proc.stderr
    proc = trail("apply", "p-1", "--branch", "bad..name", cwd=ran, check=False)
    assert proc.returncode != 0 and "not a valid branch name" in proc.stderr
    (ran / "app.py").write_text("def handler(request):\n    return 'mine'\n")
    proc = trail("apply", "p-1", "--branch", "new", cwd=ran, check=False)
    assert proc.returncode != 0 and "app.py" in proc.stderr
    assert not git_ok("rev-parse", "--verify", "refs/heads/new", cwd=ran)
    assert git("symbolic-ref", "HEAD", cwd=ran) == "refs/heads/main"
    assert (ran / "app.py").read_text().endswith("'mine'\n")
    # --stash puts the change aside and the switch goes ahead.
    trail("apply", "p-1", "--branch", "new", "--stash", cwd=ran)
    assert git("rev-parse", "HEAD", cwd=ran) == snapshot_of(ran)


def test_unknown_run_is_refused(ran):
    proc = trail("apply", "p-9", cwd=ran, check=False)
    assert proc.returncode != 0 and "p-9" in proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1


def test_run_without_a_snapshot_or_with_one_missing_from_this_clone(ran, tmp_path):
    before = where_git_is(ran)

    def drop(rec):
        del rec["code"]["snapshot"]

    rewrite_record(ran, tmp_path, "p-1", drop)
    proc = trail("apply", "p-1", cwd=ran, check=False)
    assert proc.returncode != 0 and "has no code snapshot" in proc.stderr

    def elsewhere(rec):
        rec["code"]["snapshot"] = "0123456789abcdef0123456789abcdef01234567"

    rewrite_record(ran, tmp_path, "p-1", elsewhere)
    proc = trail("apply", "p-1", cwd=ran, check=False)
    assert proc.returncode != 0 and "trail pull" in proc.stderr
    assert where_git_is(ran) == before and (ran / "README.md").exists()


def test_the_runs_branch_checked_out_is_refused(ran):
    tip = git("rev-parse", "trail", cwd=ran)
    git("checkout", "-q", "trail", cwd=ran)
    files = work_tree_files(ran)
    proc = trail("apply", "p-1", cwd=ran, check=False)
    # The runs branch holds no project config, so trail does not even open it as a project.
    assert proc.returncode != 0 and ("runs branch" in proc.stderr or "not a trail project" in proc.stderr)
    assert git("rev-parse", "HEAD", cwd=ran) == tip and work_tree_files(ran) == files


def test_a_bare_repository_is_refused(ran, tmp_path):
    bare = tmp_path / "bare.git"
    git("clone", "-q", "--bare", str(ran), str(bare), cwd=tmp_path)
    proc = trail("apply", "p-1", cwd=bare, check=False)
    assert proc.returncode != 0 and proc.stderr.strip()


@pytest.mark.parametrize("bad", ["../outside.csv", "data/../../outside.csv", ".git/hooks/pre-commit",
                                 "data/.GIT/x"])
def test_a_hostile_data_source_is_refused_before_anything_is_written(ran, tmp_path, bad):
    def change(rec):
        rec["data"][0]["source"] = bad

    rewrite_record(ran, tmp_path, "p-1", change)
    proc = trail("apply", "p-1", cwd=ran, check=False)
    assert proc.returncode != 0 and "data source" in proc.stderr
    assert (ran / "README.md").exists() and not (ran / "notes.txt").exists()
    assert not (tmp_path / "outside.csv").exists() and not (ran / ".git" / "hooks" / "pre-commit").exists()


def test_an_absolute_data_source_is_never_written(ran, tmp_path):
    victim = tmp_path / "victim.csv"
    victim.write_text("keep me\n")

    def change(rec):
        rec["data"][0]["source"] = str(victim)

    rewrite_record(ran, tmp_path, "p-1", change)
    proc = trail("apply", "p-1", cwd=ran)
    assert victim.read_text() == "keep me\n"
    assert "outside the project" in proc.stderr


def test_missing_data_is_named_with_its_hash(ran, tmp_path):
    oid = "sha256:" + "ab" * 32

    def change(rec):
        rec["data"][0]["oid"] = oid

    rewrite_record(ran, tmp_path, "p-1", change)
    proc = trail("apply", "p-1", cwd=ran)
    assert "warning" in proc.stderr and oid in proc.stderr and "data/train.csv" in proc.stderr
    assert (ran / "app.py").read_text() == EDITED_APP


def test_help_describes_apply(project):
    proc = trail("apply", "--help", cwd=project)
    assert "--branch" in proc.stdout and "--stash" in proc.stdout
    assert "apply" in trail("--help", cwd=project).stdout


def test_a_link_in_the_way_is_refused_and_not_followed(ran, tmp_path):
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "util.py").write_text("someone else's file\n")
    git("rm", "-q", "-r", "--cached", "src", cwd=ran)
    for f in (ran / "src").iterdir():
        f.unlink()
    (ran / "src").rmdir()
    (ran / "src").symlink_to(elsewhere)
    proc = trail("apply", "p-1", cwd=ran, check=False)
    refused(proc, "would overwrite your uncommitted work", "src/util.py")
    assert "symbolic link" in proc.stderr
    assert (elsewhere / "util.py").read_text() == "someone else's file\n"
    assert not (ran / "notes.txt").exists()


def test_data_of_the_snapshots_pointer_files_is_checked_out(project, scripts):
    labels = project / "labels.csv"
    labels.write_bytes(b"id,label\n1,cat\n")
    trail("add", "labels.csv", cwd=project)
    git("add", "labels.csv.trail", ".gitignore", cwd=project)
    git("commit", "-q", "-m", "labels v1", cwd=project)
    labels.write_bytes(b"id,label\n1,dog\n2,cat\n")
    trail("add", "labels.csv", cwd=project)  # v2, pointer changed but not committed
    trail("run", "--", PYTHON, write_script(scripts, "t.py", "print(1)\n"), cwd=project)
    git("checkout", "--", "labels.csv.trail", cwd=project)
    trail("checkout", "--force", "labels.csv", cwd=project)  # v2 is stored: nothing is lost
    assert labels.read_bytes() == b"id,label\n1,cat\n"
    out = json.loads(trail("apply", "p-1", "--format", "json", cwd=project).stdout)
    assert out["changed"] == ["labels.csv.trail"] and out["checked_out"] == ["labels.csv"]
    assert labels.read_bytes() == b"id,label\n1,dog\n2,cat\n"
    assert git("status", "--porcelain", cwd=project) == " M labels.csv.trail"


def test_stored_data_under_a_pointer_is_replaced_by_the_snapshots_version(project, scripts):
    labels = project / "labels.csv"
    labels.write_bytes(b"id,label\n1,cat\n")
    trail("add", "labels.csv", cwd=project)
    git("add", "labels.csv.trail", ".gitignore", cwd=project)
    git("commit", "-q", "-m", "labels v1", cwd=project)
    trail("run", "--", PYTHON, write_script(scripts, "t.py", "print(1)\n"), cwd=project)
    labels.write_bytes(b"id,label\n1,dog\n")
    trail("add", "labels.csv", cwd=project)
    git("commit", "-q", "-am", "labels v2", cwd=project)
    trail("apply", "p-1", cwd=project)
    assert labels.read_bytes() == b"id,label\n1,cat\n"
    # Unstored changes to pointer data are the user's: refused.
    git("checkout", "--", "labels.csv.trail", cwd=project)
    labels.write_bytes(b"id,label\n1,bird\n")
    proc = trail("apply", "p-1", cwd=project, check=False)
    refused(proc, "would overwrite data that exists nowhere else", "labels.csv")
    assert labels.read_bytes() == b"id,label\n1,bird\n"


def test_an_ignored_file_where_the_snapshot_has_one_is_refused_even_with_stash(ran):
    (ran / ".gitignore").write_text("notes.txt\n")
    git("add", ".gitignore", cwd=ran)
    git("commit", "-q", "-m", "ignore notes", cwd=ran)
    notes = ran / "notes.txt"
    notes.write_text("my private notes\n")
    for extra in ([], ["--stash"]):
        proc = trail("apply", "p-1", *extra, cwd=ran, check=False)
        refused(proc, "would overwrite your uncommitted work in 1 file", "notes.txt (ignored)")
        assert notes.read_text() == "my private notes\n"
        assert git("stash", "list", cwd=ran) == ""

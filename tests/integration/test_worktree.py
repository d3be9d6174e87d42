"""Recording a run never touches the user's work; the code snapshot holds exactly what ran."""
import hashlib
import os
from pathlib import Path

from conftest import git, py, record, sha256_file, trail


def worktree_bytes(repo):
    out = {}
    for root, dirs, files in os.walk(repo):
        rel = Path(root).relative_to(repo)
        if rel.parts and rel.parts[0] in (".git", ".trail"):
            continue
        dirs[:] = [d for d in dirs if not (str(rel) == "." and d in (".git", ".trail"))]
        for f in files:
            p = Path(root) / f
            out[str(p.relative_to(repo))] = hashlib.sha256(p.read_bytes()).hexdigest()
    return out


def user_state(repo):
    return {
        "index": sha256_file(repo / ".git" / "index"),
        "status": git("status", "--porcelain=v1", "-uall", cwd=repo),
        "head": git("rev-parse", "HEAD", cwd=repo),
        "symbolic": git("symbolic-ref", "HEAD", cwd=repo),
        "stash": git("stash", "list", cwd=repo),
        "files": worktree_bytes(repo),
        "branches": git("for-each-ref", "--format=%(refname) %(objectname)", "refs/heads/main", "refs/tags",
                        cwd=repo),
    }


def make_messy(repo):
    (repo / ".gitignore").write_text("*.ckpt\n")
    git("add", ".gitignore", cwd=repo)
    git("commit", "-q", "-m", "ignore checkpoints", cwd=repo)
    # a stash entry the user keeps
    (repo / "README.md").write_text("# shop\nstashed edit\n")
    git("stash", "-q", cwd=repo)
    # modified tracked file (not staged)
    (repo / "app.py").write_text("def handler(request):\n    return 'changed, not staged'\n")
    # staged change, then a further unstaged edit of another file
    (repo / "src" / "util.py").write_text("def add(a, b):\n    return b + a  # staged\n")
    git("add", "src/util.py", cwd=repo)
    # untracked and ignored files
    (repo / "train.py").write_text("print('training')\n")
    (repo / "model.ckpt").write_bytes(b"\x00weights\x01" * 100)


def test_run_leaves_index_status_head_stash_and_files_untouched(project):
    make_messy(project)
    before = user_state(project)
    assert " M app.py" in before["status"] and "M  src/util.py" in before["status"]
    assert "?? train.py" in before["status"] and "model.ckpt" not in before["status"]
    trail("run", "-p", "lr=0.1", "--", *py("print('hi')"), cwd=project)
    trail("ls", cwd=project)
    trail("show", "p-1", cwd=project)
    trail("tag", "p-1", "x=y", cwd=project)
    after = user_state(project)
    assert after == before


def test_code_snapshot_holds_dirty_work_but_not_ignored_files(project):
    make_messy(project)
    head = git("rev-parse", "HEAD", cwd=project)
    trail("run", "--", *py("pass"), cwd=project)
    snap = git("rev-parse", "refs/trail/code/p-1", cwd=project)
    assert git("cat-file", "-t", snap, cwd=project) == "commit"
    assert git("rev-parse", f"{snap}^", cwd=project) == head
    assert git("rev-list", "--count", snap, cwd=project) == str(int(git("rev-list", "--count", head, cwd=project)) + 1)
    files = git("ls-tree", "-r", "--name-only", snap, cwd=project).splitlines()
    assert "train.py" in files
    assert "model.ckpt" not in files
    assert git("show", f"{snap}:app.py", cwd=project) == "def handler(request):\n    return 'changed, not staged'"
    assert git("show", f"{snap}:src/util.py", cwd=project) == "def add(a, b):\n    return b + a  # staged"
    assert git("show", f"{snap}:train.py", cwd=project) == "print('training')"
    # the stashed edit is not part of what ran
    assert "stashed edit" not in git("show", f"{snap}:README.md", cwd=project)

    rec = record(project, "p-1")
    code = rec["code"]
    assert code["dirty"] is True
    assert code["commit"] == head
    assert code["branch"] == "main"
    assert code["snapshot"] == snap
    assert code.get("ref") == "refs/trail/code/p-1"
    changed = code.get("changed", [])
    for f in ("app.py", "src/util.py", "train.py"):
        assert f in changed, changed


def test_clean_tree_snapshot_is_not_dirty(project):
    head = git("rev-parse", "HEAD", cwd=project)
    trail("run", "--", "true", cwd=project)
    rec = record(project, "p-1")
    assert rec["code"]["dirty"] is False
    assert rec["code"]["commit"] == head
    snap = git("rev-parse", "refs/trail/code/p-1", cwd=project)
    assert git("rev-parse", f"{snap}^{{tree}}", cwd=project) == git("rev-parse", "HEAD^{tree}", cwd=project)


def test_run_on_detached_head_and_nothing_moves(project):
    head = git("rev-parse", "HEAD", cwd=project)
    git("checkout", "-q", "--detach", cwd=project)
    trail("run", "--", "true", cwd=project)
    assert git("rev-parse", "HEAD", cwd=project) == head
    assert git("status", "--porcelain", cwd=project) == ""
    rec = record(project, "p-1")
    assert rec["code"]["commit"] == head
    assert git("rev-parse", "refs/trail/code/p-1^", cwd=project) == head

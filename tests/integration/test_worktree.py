"""Recording a run never touches the user's work; the code snapshot holds exactly what ran."""
import hashlib
import os
from pathlib import Path

from conftest import git, git_ok, ls_ids as json_ids, py, record, sha256_file, trail


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


def test_snapshot_of_deletions_odd_names_modes_symlinks_and_big_files(project):
    os.unlink(project / "README.md")                                   # deleted, not staged
    odd = project / "data dir" / "ñame with spaces.py"
    odd.parent.mkdir()
    odd.write_text("x = 1\n")
    script = project / "run.sh"
    script.write_text("#!/bin/sh\necho hi\n")
    script.chmod(0o755)
    os.symlink("app.py", project / "link.py")
    big = project / "big.bin"
    with open(big, "wb") as f:
        f.truncate(11 << 20)                                           # an 11 MiB stray file
    before = user_state(project)
    trail("run", "--", "true", cwd=project)
    assert user_state(project) == before
    snap = "refs/trail/code/p-1"
    entries = {}
    for line in git("ls-tree", "-r", snap, cwd=project).splitlines():
        meta, path = line.split("\t", 1)
        entries[path.strip('"')] = meta.split()[0]
    assert "README.md" not in entries
    assert any("ame with spaces.py" in p for p in entries), entries
    assert entries["run.sh"] == "100755"
    assert entries["link.py"] == "120000"
    assert git("cat-file", "-p", f"{snap}:link.py", cwd=project) == "app.py"
    assert "big.bin" not in entries
    code = record(project, "p-1")["code"]
    assert "big.bin" in code.get("skipped", [])
    assert "README.md" in code["changed"]
    assert code["dirty"] is True


def test_user_hooks_do_not_run_or_block_recording(project):
    hooks = project / ".git" / "hooks"
    hooks.mkdir(exist_ok=True)
    for name in ("pre-commit", "commit-msg", "post-commit", "reference-transaction", "pre-auto-gc"):
        h = hooks / name
        h.write_text(f"#!/bin/sh\necho {name} >> \"$GIT_DIR/../HOOK_RAN\"\nexit 1\n")
        h.chmod(0o755)
    proc = trail("run", "--", "true", cwd=project)
    assert proc.returncode == 0
    assert record(project, "p-1")["status"] == "finished"
    assert not (project / "HOOK_RAN").exists(), (project / "HOOK_RAN").read_text()


def test_run_in_repository_without_commits(tmp_path):
    d = tmp_path / "fresh"
    d.mkdir()
    trail("init", "--git", "--name", "f", cwd=d)
    git("config", "user.name", "Ann Lee", cwd=d)
    git("config", "user.email", "ann@example.org", cwd=d)
    (d / "train.py").write_text("print('first')\n")
    proc = trail("run", "--", "true", cwd=d)
    assert "recording f-1" in proc.stderr
    rec = record(d, "f-1")
    assert rec["status"] == "finished"
    snap = git("rev-parse", "refs/trail/code/f-1", cwd=d)
    assert "train.py" in git("ls-tree", "-r", "--name-only", snap, cwd=d).splitlines()
    assert not git_ok("rev-parse", "--verify", "-q", "HEAD", cwd=d)    # still no commit on the user's branch
    assert git("status", "--porcelain", "-uall", cwd=d).splitlines() == ["?? .trail/.gitignore", "?? .trail/config.yaml", "?? train.py"]


def test_snapshot_with_split_index(project):
    # `git update-index --split-index` (core.splitIndex) is a stock Git setting for big repositories.
    git("config", "core.splitIndex", "true", cwd=project)
    git("update-index", "--split-index", cwd=project)
    (project / "src" / "new.py").write_text("NEW = 1\n")
    git("add", "src/new.py", cwd=project)
    (project / "app.py").write_text("changed\n")
    before = user_state(project)
    shared = sorted((project / ".git").glob("sharedindex.*"))
    assert shared, "git did not split the index"
    shared_before = {p.name: sha256_file(p) for p in shared}
    proc = trail("run", "--", "true", cwd=project)
    assert user_state(project) == before
    assert {p.name: sha256_file(p) for p in sorted((project / ".git").glob("sharedindex.*"))} == shared_before
    assert "snapshot failed" not in proc.stderr, proc.stderr
    snap = git("rev-parse", "refs/trail/code/p-1", cwd=project)
    assert git("show", f"{snap}:src/new.py", cwd=project) == "NEW = 1"
    assert git("show", f"{snap}:app.py", cwd=project) == "changed"
    assert record(project, "p-1")["code"]["dirty"] is True


def test_snapshot_with_sparse_index(project):
    # cone-mode sparse checkout with a sparse index: files outside the cone are not on disk and are
    # not changes; the snapshot keeps them as committed.
    (project / "docs").mkdir()
    (project / "docs" / "guide.md").write_text("guide\n")
    git("add", "docs", cwd=project)
    git("commit", "-q", "-m", "docs", cwd=project)
    git("sparse-checkout", "init", "--cone", "--sparse-index", cwd=project)
    git("sparse-checkout", "set", "src", ".trail", cwd=project)
    assert not (project / "docs" / "guide.md").exists()
    (project / "src" / "util.py").write_text("def add(a, b):\n    return 0\n")
    before = user_state(project)
    proc = trail("run", "--", "true", cwd=project)
    assert user_state(project) == before
    assert "snapshot failed" not in proc.stderr, proc.stderr
    snap = git("rev-parse", "refs/trail/code/p-1", cwd=project)
    files = git("ls-tree", "-r", "--name-only", snap, cwd=project).splitlines()
    assert "README.md" in files and "app.py" in files and "docs/guide.md" in files
    assert git("show", f"{snap}:src/util.py", cwd=project) == "def add(a, b):\n    return 0"
    code = record(project, "p-1")["code"]
    assert code["changed"] == ["src/util.py"]


def test_snapshot_after_gc_and_with_index_v4(project):
    trail("run", "--", "true", cwd=project)
    git("gc", "-q", "--aggressive", "--prune=now", cwd=project)
    git("update-index", "--index-version", "4", cwd=project)
    (project / "app.py").write_text("v4\n")
    proc = trail("run", "--", "true", cwd=project)
    assert "snapshot failed" not in proc.stderr
    assert git("show", "refs/trail/code/p-2:app.py", cwd=project) == "v4"
    assert json_ids(project) == ["p-2", "p-1"]
    out = trail("diff", "p-1", "p-2", cwd=project).stdout
    assert "app.py" in out

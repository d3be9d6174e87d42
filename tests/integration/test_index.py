"""The SQLite index is a cache of the runs branch: rebuilt when missing or damaged, and following the
branch wherever it moves (fetch, reset)."""
import json
import os

import yaml

from conftest import env_with, git, ls_ids, record, trail


def three_runs(project):
    for i in range(3):
        trail("run", "-p", f"i={i}", "--", "true", cwd=project)
    return ["p-3", "p-2", "p-1"]


def test_deleted_index_is_rebuilt(project):
    ids = three_runs(project)
    assert ls_ids(project) == ids
    index = project / ".trail" / "index.sqlite"
    assert index.exists()
    index.unlink()
    assert ls_ids(project) == ids
    assert ls_ids(project, "--where", "params.i = 1") == ["p-2"]


def test_garbage_index_is_replaced(project):
    ids = three_runs(project)
    trail("ls", cwd=project)
    index = project / ".trail" / "index.sqlite"
    index.write_bytes(os.urandom(4096) + b"this is not sqlite" * 100)
    proc = trail("ls", "--format", "json", cwd=project)
    assert proc.returncode == 0
    assert ls_ids(project) == ids
    # a truncated, zero-length index too
    index.write_bytes(b"")
    assert ls_ids(project) == ids
    # a file that starts like SQLite but is cut short
    index.write_bytes(b"SQLite format 3\x00" + b"\x00" * 50)
    assert ls_ids(project) == ids


def test_branch_moved_back_externally(project):
    trail("run", "--", "true", cwd=project)
    older = git("rev-parse", "trail", cwd=project)
    trail("run", "--", "true", cwd=project)
    trail("run", "--", "true", cwd=project)
    assert ls_ids(project) == ["p-3", "p-2", "p-1"]
    git("update-ref", "refs/heads/trail", older, cwd=project)
    assert ls_ids(project) == ["p-1"]
    proc = trail("show", "p-3", cwd=project, check=False)
    assert proc.returncode != 0
    # and forward again
    git("update-ref", "refs/heads/trail", git("rev-parse", "trail@{1}", cwd=project), cwd=project)
    assert ls_ids(project) == ["p-3", "p-2", "p-1"]


def test_tags_changed_by_a_reset_are_reflected(project):
    trail("run", "--", "true", cwd=project)
    before_tag = git("rev-parse", "trail", cwd=project)
    trail("tag", "p-1", "stage=prod", cwd=project)
    assert ls_ids(project, "--where", "tags.stage = 'prod'") == ["p-1"]
    git("update-ref", "refs/heads/trail", before_tag, cwd=project)
    assert ls_ids(project, "--where", "tags.stage = 'prod'") == []
    assert ls_ids(project) == ["p-1"]


def test_runs_fetched_from_another_clone_appear(project, tmp_path):
    # clone A = project: it records runs. Clone B is a colleague's clone of the main branch
    # (which carries the committed .trail/config.yaml).
    trail("run", "-p", "lr=0.1", "--", "true", cwd=project)
    trail("run", "-p", "lr=0.2", "--", "true", cwd=project)
    b = tmp_path / "colleague"
    git("clone", "-q", str(project), str(b), cwd=tmp_path)
    git("config", "user.name", "Bob", cwd=b)
    git("config", "user.email", "bob@example.org", cwd=b)
    assert (b / ".trail" / "config.yaml").is_file()
    # before fetching the runs branch, B has no runs
    assert ls_ids(b) == []
    git("fetch", "-q", "origin", "trail:trail", cwd=b)
    assert ls_ids(b) == ["p-2", "p-1"]
    assert record(b, "p-1")["params"] == {"lr": 0.1}
    # A records more; B fetches again and sees them
    trail("run", "-p", "lr=0.3", "--", "true", cwd=project)
    trail("tag", "p-1", "stage=prod", cwd=project)
    git("fetch", "-q", "origin", "trail:trail", cwd=b)
    assert ls_ids(b) == ["p-3", "p-2", "p-1"]
    assert ls_ids(b, "--where", "tags.stage = 'prod'") == ["p-1"]
    # B's next run continues the numbering and records Bob
    proc = trail("run", "--", "true", cwd=b)
    assert "trail: recording p-4" in proc.stderr
    assert record(b, "p-4")["user"]["name"] == "Bob"
    assert ls_ids(b) == ["p-4", "p-3", "p-2", "p-1"]


def test_index_rebuild_reports_count(project):
    three_runs(project)
    proc = trail("index", "--rebuild", cwd=project)
    assert "3" in proc.stdout and "runs" in proc.stdout
    (project / ".trail" / "index.sqlite").unlink()
    proc = trail("index", "--rebuild", cwd=project)
    assert "holds 3 runs" in proc.stdout
    assert ls_ids(project) == ["p-3", "p-2", "p-1"]


def test_runs_past_999_go_to_the_next_shard(project, tmp_path):
    trail("run", "--", "true", cwd=project)
    # A record numbered 999 arrives from elsewhere (written here with plumbing).
    text = git("show", "trail:runs/000/p-1/run.yaml", cwd=project)
    rec = yaml.safe_load(text)
    text = text.replace("id: p-1\n", "id: p-999\n").replace("number: 1\n", "number: 999\n")
    text = text.replace(rec["uid"], "0" * 32)
    blob = git("hash-object", "-w", "--stdin", cwd=project, input=text)
    env = env_with(GIT_INDEX_FILE=str(tmp_path / "idx"))
    git("read-tree", "trail", cwd=project, env=env)
    git("update-index", "--add", "--cacheinfo", f"100644,{blob},runs/000/p-999/run.yaml", cwd=project, env=env)
    commit = git("commit-tree", git("write-tree", cwd=project, env=env), "-p", "trail", "-m", "p-999", cwd=project)
    git("update-ref", "refs/heads/trail", commit, cwd=project)

    assert "recording p-1000" in trail("run", "-p", "k=1", "--", "true", cwd=project).stderr
    assert "recording p-1001" in trail("run", "-p", "k=2", "--", "true", cwd=project).stderr
    tree = git("ls-tree", "-r", "--name-only", "trail", cwd=project).splitlines()
    assert "runs/001/p-1000/run.yaml" in tree and "runs/001/p-1001/run.yaml" in tree
    assert record(project, "p-1000")["params"] == {"k": 1}
    assert sorted(ls_ids(project), key=lambda i: int(i.split("-")[1])) == ["p-1", "p-999", "p-1000", "p-1001"]
    assert json.loads(trail("show", "1001", "--format", "json", cwd=project).stdout)["params"] == {"k": 2}
    assert json.loads(trail("show", "p-999", "--format", "json", cwd=project).stdout)["number"] == 999
    (project / ".trail" / "index.sqlite").unlink()
    assert len(ls_ids(project)) == 4

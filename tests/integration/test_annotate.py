"""trail tag / note / rm: small edits to a record, one commit each on the runs branch."""
from conftest import branch_commits, git, ls_ids, ls_json, record, trail


def two_runs(project):
    trail("run", "--", "true", cwd=project)
    trail("run", "--", "true", cwd=project)
    return len(branch_commits(project))


def test_tag_adds_a_commit_and_is_queryable(project):
    base = two_runs(project)
    tip = git("rev-parse", "trail", cwd=project)
    trail("tag", "p-1", "stage=prod", "owner=ann", cwd=project)
    commits = branch_commits(project)
    assert len(commits) == base + 1
    assert git("rev-parse", "trail^", cwd=project) == tip
    assert "p-1" in commits[0]
    # the commit touches only p-1's record
    changed = git("diff", "--name-only", tip, "trail", cwd=project).splitlines()
    assert changed == ["runs/000/p-1/run.yaml"]
    assert record(project, "p-1")["tags"] == {"stage": "prod", "owner": "ann"}
    assert ls_ids(project, "--where", "tags.stage = 'prod'") == ["p-1"]

    trail("tag", "p-1", "-d", "stage", cwd=project)
    assert len(branch_commits(project)) == base + 2
    assert record(project, "p-1")["tags"] == {"owner": "ann"}
    assert ls_ids(project, "--where", "tags.stage = 'prod'") == []
    assert ls_ids(project, "--where", "tags.owner = 'ann'") == ["p-1"]


def test_tag_errors(project):
    two_runs(project)
    n = len(branch_commits(project))
    for args in (["p-1"], ["p-1", "novalue"], ["p-9", "a=b"], ["p-1", "-d", "missing"]):
        proc = trail("tag", *args, cwd=project, check=False)
        assert proc.returncode != 0, args
        assert proc.stderr.strip(), args
    assert len(branch_commits(project)) == n


def test_note_appears_in_show(project):
    base = two_runs(project)
    trail("note", "p-2", "looks", "overfit after epoch 3", cwd=project)
    assert len(branch_commits(project)) == base + 1
    rec = record(project, "p-2")
    assert rec["notes"][0]["text"] == "looks overfit after epoch 3"
    assert rec["notes"][0]["user"] == "Ann Lee"
    out = trail("show", "p-2", cwd=project).stdout
    assert "Notes" in out and "looks overfit after epoch 3" in out
    trail("note", "2", "second note", cwd=project)
    assert [n["text"] for n in record(project, "p-2")["notes"]] == ["looks overfit after epoch 3", "second note"]


def test_rm_hides_and_restore_brings_back(project):
    base = two_runs(project)
    proc = trail("rm", "p-1", cwd=project)
    assert "p-1" in proc.stdout
    assert len(branch_commits(project)) == base + 1
    assert ls_ids(project) == ["p-2"]
    assert "p-1" not in trail("ls", cwd=project).stdout
    assert ls_ids(project, "--all") == ["p-2", "p-1"]
    assert "p-1" in trail("ls", "--all", cwd=project).stdout
    assert record(project, "p-1")["archived"] is True
    # the record is kept in history: show still works
    assert trail("show", "p-1", cwd=project).stdout.startswith("Run p-1")

    trail("rm", "--restore", "p-1", cwd=project)
    assert len(branch_commits(project)) == base + 2
    assert ls_ids(project) == ["p-2", "p-1"]
    assert "archived" not in record(project, "p-1")
    subjects = [c.split(" ", 1)[1] for c in branch_commits(project)]
    assert "p-1" in subjects[0] and "p-1" in subjects[1]


def test_one_commit_per_action_in_branch_log(project):
    base = two_runs(project)
    trail("tag", "p-1", "a=1", cwd=project)
    trail("note", "p-1", "n", cwd=project)
    trail("rm", "p-2", cwd=project)
    trail("rm", "--restore", "p-2", cwd=project)
    trail("tag", "p-2", "-d", "x", cwd=project, check=False)   # fails: no such tag, no commit
    log = branch_commits(project)
    assert len(log) == base + 4
    # linear history: each action is a child of the previous tip
    assert git("rev-list", "--count", "--merges", "trail", cwd=project) == "0"
    # the user's branch did not move
    assert git("rev-list", "--count", "main", cwd=project) == "2"
    assert [r["id"] for r in ls_json(project)] == ["p-2", "p-1"]

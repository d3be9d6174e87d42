"""Sharing runs between clones (docs/remotes.md, "Sharing runs between clones").

Clones number their runs independently: two clones that record offline both own p-1, p-2, ...
`trail push` fetches and merges the remote's runs, renumbering this clone's not-yet-pushed runs
whose ids the remote already uses, then pushes; `trail pull` brings the others' runs in. The
shared Git remote is a bare repository in a temp dir; most tests have no store remote at all
(a project of runs only).
"""
import time
from pathlib import Path

import yaml

from conftest import git, init_project, ls_ids, make_git_repo, py, run_dir, trail, trail_popen, wait_for


def make_team(tmp_path, names=("a", "b", "c")):
    """A bare Git remote and one clone per name of a project 'p' pushed there (main only)."""
    bare = tmp_path / "origin.git"
    git("init", "-q", "--bare", "-b", "main", str(bare), cwd=tmp_path)
    first = make_git_repo(tmp_path / names[0])
    init_project(first, "p")
    git("remote", "add", "origin", str(bare), cwd=first)
    git("push", "-q", "origin", "main", cwd=first)
    clones = [first]
    for name in names[1:]:
        path = tmp_path / name
        git("clone", "-q", str(bare), str(path), cwd=tmp_path)
        git("config", "user.name", name.upper(), cwd=path)
        git("config", "user.email", f"{name}@example.org", cwd=path)
        clones.append(path)
    return bare, clones


def record_runs(repo, n):
    for _ in range(n):
        trail("run", "--", "true", cwd=repo)


def records(repo, ref="refs/heads/trail"):
    """uid -> (id, run.yaml text) of every run on `ref` of `repo` (a clone or the bare remote)."""
    out = {}
    listing = git("ls-tree", "-r", "--name-only", ref, "runs", cwd=repo)
    for path in listing.splitlines():
        if not path.endswith("/run.yaml"):
            continue
        text = git("show", f"{ref}:{path}", cwd=repo) + "\n"
        rec = yaml.safe_load(text)
        assert path == f"{run_dir(rec['id'])}/run.yaml"
        assert rec["uid"] not in out, f"uid {rec['uid']} twice"
        out[rec["uid"]] = (rec["id"], text)
    return out


def refs(repo, prefix="refs/trail/code/"):
    lines = git("for-each-ref", "--format=%(refname) %(objectname)", prefix, cwd=repo).splitlines()
    return dict(line.split(" ") for line in lines)


def without_renumbering(text):
    """A record's text with the fields renumbering may change taken out."""
    return "".join(line for line in text.splitlines(keepends=True)
                   if not line.startswith(("id: ", "number: ", "renumbered_from: ", "  ref: refs/trail/code/")))


def assert_remote_complete(bare, expected_uids):
    on_remote = records(bare)
    assert set(on_remote) == set(expected_uids)
    ids = [run_id for run_id, _ in on_remote.values()]
    assert len(set(ids)) == len(ids)
    # Every run's code snapshot ref is on the remote, under the run's id, at the recorded commit.
    remote_refs = refs(bare)
    for run_id, text in on_remote.values():
        code = yaml.safe_load(text)["code"]
        assert code["ref"] == f"refs/trail/code/{run_id}"
        assert remote_refs.get(code["ref"]) == code["snapshot"], run_id
    return on_remote


def test_three_clones_share_sixty_runs_interleaved(tmp_path):
    bare, (a, b, c) = make_team(tmp_path)
    written = {}  # uid -> the record text as its clone first committed it

    def remember(repo):
        for uid, (_, text) in records(repo).items():
            written.setdefault(uid, text)

    pushed_ids = {}  # uid -> id, once a run is on the remote

    def check_pushed_ids_stable():
        for uid, (run_id, _) in records(bare).items():
            assert pushed_ids.setdefault(uid, run_id) == run_id, "a pushed run changed its id"

    # All three record offline: each owns p-1..p-7.
    for repo in (a, b, c):
        record_runs(repo, 7)
        remember(repo)
    trail("push", cwd=a)
    check_pushed_ids_stable()
    pushed = trail("push", cwd=b)
    assert "renumbered p-1 to p-8: origin has another run p-1" in pushed.stdout, pushed.stdout
    check_pushed_ids_stable()
    pulled = trail("pull", cwd=c)
    assert "renumbered p-7 to p-21" in pulled.stdout, pulled.stdout
    record_runs(c, 3)  # numbered after everything C now has
    remember(c)
    trail("push", cwd=c)
    check_pushed_ids_stable()
    # A, still offline, records more: its numbers collide with B's and C's pushed runs.
    record_runs(a, 7)
    remember(a)
    trail("push", cwd=a)
    check_pushed_ids_stable()
    for repo in (b, c):
        trail("pull", cwd=repo)
        record_runs(repo, 16 if repo == b else 13)
        remember(repo)
    trail("push", cwd=b)
    check_pushed_ids_stable()
    trail("push", cwd=c)
    check_pushed_ids_stable()

    assert len(written) == 60
    on_remote = assert_remote_complete(bare, written)
    assert sorted(int(i.split("-")[1]) for i, _ in on_remote.values()) == list(range(1, 61))
    for uid, (run_id, text) in on_remote.items():
        # Byte for byte what the clone wrote, apart from the renumbering fields.
        assert without_renumbering(text) == without_renumbering(written[uid])
        original = yaml.safe_load(written[uid])["id"]
        rec = yaml.safe_load(text)
        assert rec.get("renumbered_from") == (original if original != run_id else None)
    # Every clone ends with the same 60 runs, listed by trail and by Git.
    for repo in (a, b, c):
        trail("pull", cwd=repo)
        assert records(repo) == on_remote
        assert sorted(ls_ids(repo)) == sorted(i for i, _ in on_remote.values())
        assert refs(repo) == refs(bare)
    # The merge commits are ordinary merges of the two histories.
    parents = git("log", "--merges", "--format=%p", "refs/heads/trail", cwd=bare).splitlines()
    assert parents and all(len(p.split()) == 2 for p in parents)


def test_concurrent_pushes_from_three_clones_all_land(tmp_path):
    bare, clones = make_team(tmp_path)
    for repo in clones:
        record_runs(repo, 4)
    uids = set()
    for repo in clones:
        uids |= set(records(repo))
    procs = [trail_popen("push", cwd=repo) for repo in clones]
    for p in procs:
        out, err = p.communicate(timeout=120)
        assert p.returncode == 0, err
        assert b"warning" not in err, err
    assert_remote_complete(bare, uids)


def test_pull_during_a_live_run_keeps_numbers_unique(tmp_path):
    bare, (a, b) = make_team(tmp_path, ("a", "b"))
    record_runs(a, 2)
    trail("push", cwd=a)
    trail("pull", cwd=b)
    record_runs(b, 3)  # p-3..p-5
    trail("push", cwd=b)
    flag = tmp_path / "go"
    live = trail_popen("run", "--", *py(f"import os, time\nwhile not os.path.exists({str(flag)!r}): time.sleep(0.05)"),
                       cwd=a)
    wait_for(lambda: (a / ".trail" / "live" / "p-3").exists(), what="live run p-3")
    trail("pull", cwd=a)  # brings B's p-3..p-5 while A's p-3 runs
    record_runs(a, 1)  # allocated after the pull: above everything
    flag.write_text("")
    _, err = live.communicate(timeout=60)
    assert live.returncode == 0, err
    trail("push", cwd=a)
    uids = set(records(a))
    assert len(uids) == 7
    on_remote = assert_remote_complete(bare, uids)
    ids = sorted(int(i.split("-")[1]) for i, _ in on_remote.values())
    assert ids == list(range(1, 8))
    renumbered = [yaml.safe_load(t) for _, t in on_remote.values() if "renumbered_from" in t]
    assert [r["renumbered_from"] for r in renumbered] == ["p-3"]


def test_runs_only_project_pushes_and_pulls_without_a_store_remote(tmp_path):
    bare, (a, b) = make_team(tmp_path, ("a", "b"))
    record_runs(a, 2)
    pushed = trail("push", cwd=a)
    assert "no store remote configured: no packs pushed" in pushed.stdout
    assert "pushed runs branch and refs/trail/* to Git remote origin" in pushed.stdout, pushed.stdout
    assert set(records(bare)) == set(records(a))
    pulled = trail("pull", cwd=b)
    assert "fetched runs branch" in pulled.stdout, pulled.stdout
    assert "p-1" in trail("ls", cwd=b).stdout and "p-2" in trail("ls", cwd=b).stdout
    assert refs(b) == refs(a)


def test_both_clones_changing_one_record_is_refused_and_nothing_is_lost(tmp_path):
    bare, (a, b) = make_team(tmp_path, ("a", "b"))
    record_runs(a, 1)
    trail("push", cwd=a)
    trail("pull", cwd=b)
    trail("tag", "p-1", "owner=ann", cwd=a)
    trail("tag", "p-1", "owner=bo", cwd=b)
    trail("push", cwd=a)
    tip = git("rev-parse", "refs/heads/trail", cwd=b)
    pushed = trail("push", cwd=b, check=False)
    assert "runs/000/p-1/run.yaml was changed both here and on the remote" in pushed.stderr, pushed.stderr
    assert git("rev-parse", "refs/heads/trail", cwd=b) == tip
    assert pushed.returncode == 1  # runs only: the Git half was all there was to do
    assert yaml.safe_load(git("show", "refs/heads/trail:runs/000/p-1/run.yaml", cwd=bare))["tags"] == {"owner": "ann"}
    assert yaml.safe_load(git("show", "refs/heads/trail:runs/000/p-1/run.yaml", cwd=b))["tags"] == {"owner": "bo"}

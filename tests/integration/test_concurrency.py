"""Runs started at the same instant get distinct sequential numbers and are all recorded."""
import json
import os
import re
import subprocess

from conftest import PYTHON, git, ls_json, record, trail, trail_popen, wait_for, write_script

CHILD = r"""
import json, os, sys, time
me, folder = sys.argv[1], sys.argv[2]
open(os.path.join(folder, "ready-" + me), "w").close()
deadline = time.time() + 30
while not os.path.exists(os.path.join(folder, "go")) and time.time() < deadline:
    time.sleep(0.01)
with open(os.environ["TRAIL_METRICS"], "a") as f:
    f.write(json.dumps({"step": 0, "who": int(me)}) + "\n")
print("child", me, os.environ["TRAIL_RUN_ID"])
"""


def start_together(project, script, barrier, n, first):
    """Starts n `trail run`s at once whose children wait at a barrier; returns {who: run id}."""
    procs = [trail_popen("run", "-p", f"who={first + i}", "--", PYTHON, script, str(first + i), str(barrier),
                         cwd=project) for i in range(n)]
    try:
        started = lambda: len([f for f in os.listdir(barrier) if f.startswith("ready-")]) == n
        try:
            # a trail that exits before its child is ready has failed: stop waiting then
            wait_for(lambda: started() or any(p.poll() is not None for p in procs), timeout=20,
                     what=f"all {n} children to start")
            if not started():
                raise AssertionError("a trail run exited early")
        except AssertionError:
            (barrier / "go").touch()
            outs = []
            for p in procs:
                try:
                    outs.append(p.communicate(timeout=10))
                except subprocess.TimeoutExpired:
                    p.kill()
                    outs.append(p.communicate())
            raise AssertionError("not all children started: " + repr(sorted(os.listdir(barrier))) + "\n" +
                                 "\n".join(f"[{first + i}] rc={p.returncode} {e.decode(errors='replace')}"
                                           for i, (p, (o, e)) in enumerate(zip(procs, outs))))
        (barrier / "go").touch()
        results = [p.communicate(timeout=60) for p in procs]
    finally:
        (barrier / "go").touch()
        for p in procs:
            if p.poll() is None:
                p.kill()
    ids_by_who = {}
    for i, (p, (out, err)) in enumerate(zip(procs, results)):
        assert p.returncode == 0, err
        m = re.search(rb"trail: recording (p-\d+)", err)
        assert m, err
        run_id = m.group(1).decode()
        assert out.decode().strip() == f"child {first + i} {run_id}"
        ids_by_who[first + i] = run_id
    return ids_by_who


def test_eight_simultaneous_runs_get_ids_1_to_8(project, scripts, tmp_path):
    script = write_script(scripts, "wait.py", CHILD)
    # Races live in windows of microseconds: several rounds make a miss unlikely.
    for round_ in range(5):
        barrier = tmp_path / f"barrier{round_}"
        barrier.mkdir()
        first = 8 * round_ + 1
        ids_by_who = start_together(project, script, barrier, 8, first)
        expected = [f"p-{n}" for n in range(first, first + 8)]
        assert sorted(ids_by_who.values(), key=lambda s: int(s.split("-")[1])) == expected

        # The branch ends with all the records, one commit each, and no cross-talk between runs.
        tree = git("ls-tree", "-r", "--name-only", "trail", cwd=project).splitlines()
        assert sorted(p for p in tree if p.endswith("run.yaml")) == sorted(
            f"runs/000/p-{n}/run.yaml" for n in range(1, first + 8))
        assert len(git("log", "--format=%H", "trail", cwd=project).splitlines()) == first + 7
        for who, run_id in ids_by_who.items():
            rec = record(project, run_id)
            assert rec["params"]["who"] == who
            assert rec["metrics"]["summary"]["who"]["last"] == who
            assert rec["status"] == "finished"
            assert git("rev-parse", f"refs/trail/code/{run_id}", cwd=project)
        assert len({record(project, r)["uid"] for r in ids_by_who.values()}) == 8
        assert sorted(r["number"] for r in ls_json(project)) == list(range(1, first + 8))
        assert not os.listdir(project / ".trail" / "live")


def test_concurrent_tags_on_different_runs_are_all_kept(project):
    for _ in range(6):
        trail("run", "--", "true", cwd=project)
    procs = [trail_popen("tag", f"p-{n}", f"t{n}=v{n}", "shared=yes", cwd=project) for n in range(1, 7)]
    for p in procs:
        out, err = p.communicate(timeout=60)
        assert p.returncode == 0, err
    for n in range(1, 7):
        assert record(project, f"p-{n}")["tags"] == {f"t{n}": f"v{n}", "shared": "yes"}
    assert len(git("log", "--format=%H", "trail", cwd=project).splitlines()) == 12
    assert sorted(r["id"] for r in ls_json(project, "--where", "tags.shared = 'yes'")) == \
        sorted(f"p-{n}" for n in range(1, 7))


def test_runs_in_two_worktrees_of_one_repository_get_distinct_ids(project, scripts, tmp_path):
    # `git worktree add` is how people run two experiments on two branches at once.
    other = tmp_path / "exp-worktree"
    git("worktree", "add", "-q", "-b", "exp", str(other), cwd=project)
    (other / "app.py").write_text("def handler(request):\n    return 'experiment'\n")
    barrier = tmp_path / "barrier"
    barrier.mkdir()
    script = write_script(scripts, "wait.py", CHILD)
    a = trail_popen("run", "--", PYTHON, script, "1", str(barrier), cwd=project)
    b = trail_popen("run", "--", PYTHON, script, "2", str(barrier), cwd=other)
    try:
        wait_for(lambda: len([n for n in os.listdir(barrier) if n.startswith("ready-")]) == 2, timeout=30,
                 what="both children to start")
        (barrier / "go").touch()
        (_, err_a), (_, err_b) = a.communicate(timeout=60), b.communicate(timeout=60)
    finally:
        (barrier / "go").touch()
        for p in (a, b):
            if p.poll() is None:
                p.kill()
    id_a = re.search(rb"recording (p-\d+)", err_a).group(1).decode()
    id_b = re.search(rb"recording (p-\d+)", err_b).group(1).decode()
    assert id_a != id_b, f"both worktrees recorded as {id_a}"
    runs = sorted(p for p in git("ls-tree", "-r", "--name-only", "trail", cwd=project).splitlines()
                  if p.endswith("run.yaml"))
    assert len(runs) == 2, runs
    assert record(project, id_a)["code"]["branch"] == "main"
    assert record(project, id_b)["code"]["branch"] == "exp"


def test_concurrent_readers_rebuilding_the_index(project):
    for i in range(5):
        trail("run", "-p", f"i={i}", "--", "true", cwd=project)
    for attempt in range(3):
        (project / ".trail" / "index.sqlite").unlink(missing_ok=True)
        procs = [trail_popen("ls", "--format", "json", cwd=project) for _ in range(6)]
        procs.append(trail_popen("run", "-p", f"extra={attempt}", "--", "true", cwd=project))
        outs = [p.communicate(timeout=60) for p in procs]
        for p, (out, err) in zip(procs, outs):
            assert p.returncode == 0, err
        for out, err in outs[:-1]:
            ids = {r["id"] for r in json.loads(out)}
            assert {f"p-{n}" for n in range(1, 6)} <= ids, (ids, err)
    assert len(ls_json(project)) == 8


def test_runs_started_while_ls_polls(project):
    # `watch trail ls` in one terminal while starting runs in another.
    import threading
    stop = threading.Event()
    failures = []

    def poll():
        while not stop.is_set():
            p = trail("ls", "--format", "json", cwd=project, check=False)
            if p.returncode != 0:
                failures.append(p.stderr)

    pollers = [threading.Thread(target=poll) for _ in range(2)]
    for t in pollers:
        t.start()
    try:
        results = [trail("run", "-p", f"i={i}", "--", "true", cwd=project, check=False) for i in range(20)]
    finally:
        stop.set()
        for t in pollers:
            t.join()
    bad = [(i, r.returncode, r.stderr) for i, r in enumerate(results) if r.returncode != 0]
    assert not bad, bad
    assert not failures, failures
    assert sorted(r["number"] for r in ls_json(project)) == list(range(1, 21))

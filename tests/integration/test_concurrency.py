"""Runs started at the same instant get distinct sequential numbers and are all recorded."""
import os
import re

from conftest import PYTHON, git, ls_json, record, trail_popen, wait_for, write_script

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


def test_eight_simultaneous_runs_get_ids_1_to_8(project, scripts, tmp_path):
    barrier = tmp_path / "barrier"
    barrier.mkdir()
    script = write_script(scripts, "wait.py", CHILD)
    procs = [trail_popen("run", "-p", f"who={i}", "--", PYTHON, script, str(i), str(barrier), cwd=project)
             for i in range(8)]
    try:
        wait_for(lambda: len([n for n in os.listdir(barrier) if n.startswith("ready-")]) == 8,
                 timeout=30, what="all 8 children to start")
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
        assert out.decode().strip() == f"child {i} {run_id}"
        ids_by_who[i] = run_id
    assert sorted(ids_by_who.values(), key=lambda s: int(s.split("-")[1])) == [f"p-{n}" for n in range(1, 9)]

    # The branch ends with all eight records, one commit each, and no cross-talk between runs.
    tree = git("ls-tree", "-r", "--name-only", "trail", cwd=project).splitlines()
    assert sorted(p for p in tree if p.endswith("run.yaml")) == sorted(
        f"runs/000/p-{n}/run.yaml" for n in range(1, 9))
    assert len(git("log", "--format=%H", "trail", cwd=project).splitlines()) == 8
    for who, run_id in ids_by_who.items():
        rec = record(project, run_id)
        assert rec["params"]["who"] == who
        assert rec["metrics"]["summary"]["who"]["last"] == who
        assert rec["status"] == "finished"
        assert git("rev-parse", f"refs/trail/code/{run_id}", cwd=project)
    assert len({record(project, r)["uid"] for r in ids_by_who.values()}) == 8
    assert sorted(r["number"] for r in ls_json(project)) == list(range(1, 9))
    assert not os.listdir(project / ".trail" / "live")

"""trail run --resume: a killed training run continues as the same run, from its checkpoint."""
import json
import os
import signal
import subprocess
from pathlib import Path

import yaml

from conftest import PYTHON, branch_commits, git, ls_json, record, run_dir, trail, trail_popen, wait_for, \
    write_script

# A training loop as users write one: it continues from its checkpoint when trail says the run is
# resumed, appends one metrics line per step to $TRAIL_METRICS and saves a checkpoint after each
# step. With STALL_AT it stops after that step, writes its pid and sleeps, to be killed.
TRAIN = r"""
import json, os, sys, time
steps, ckpt, pidfile = int(sys.argv[1]), sys.argv[2], sys.argv[3]
stall_at = int(os.environ.get("STALL_AT", "0"))
start, weight = 1, 0.0
if os.environ.get("TRAIL_RESUME") == "1":
    with open(ckpt) as f:
        state = json.load(f)
    assert state["step"] == int(os.environ["TRAIL_RESUME_STEP"]), (state, os.environ["TRAIL_RESUME_STEP"])
    start, weight = state["step"] + 1, state["weight"]
print("training from step", start, flush=True)
with open(os.environ["TRAIL_METRICS"], "a") as metrics:
    for step in range(start, steps + 1):
        weight += 0.5
        metrics.write(json.dumps({"step": step, "loss": 1.0 / (step + weight)}) + "\n")
        metrics.flush()
        with open(ckpt + ".tmp", "w") as f:
            json.dump({"step": step, "weight": weight}, f)
        os.rename(ckpt + ".tmp", ckpt)
        if step == stall_at:
            with open(pidfile + ".tmp", "w") as f:
                f.write(str(os.getpid()))
            os.rename(pidfile + ".tmp", pidfile)
            time.sleep(120)
print("done", flush=True)
"""


def env_with_stall(stall_at):
    from conftest import env_with
    return env_with(STALL_AT=str(stall_at) if stall_at else None)


def start_and_kill_child(project, argv, pidfile, stall_at, extra=()):
    """Starts `trail run [extra] -- argv`, kills its child with SIGKILL once it stalls; returns (rc, stderr)."""
    proc = trail_popen("run", *extra, "--", *argv, cwd=project, env=env_with_stall(stall_at))
    try:
        wait_for(pidfile.exists, timeout=30, what="child stalled")
        os.kill(int(pidfile.read_text()), signal.SIGKILL)
        _, err = proc.communicate(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
    pidfile.unlink()
    return proc.returncode, err.decode()


def series_steps(project, run_id, metric):
    tsv = git("show", f"trail:{run_dir(run_id)}/metrics/{metric}.tsv", cwd=project)
    return [int(line.split("\t")[0]) for line in tsv.splitlines()[1:]]


def test_resume_after_kill9_of_the_child_is_one_continuous_run(project, scripts, tmp_path):
    script = write_script(scripts, "train.py", TRAIN)
    ckpt, pidfile = tmp_path / "ckpt.json", tmp_path / "pid"
    argv = [PYTHON, script, "10", str(ckpt), str(pidfile)]
    rc, err = start_and_kill_child(project, argv, pidfile, stall_at=4)
    assert rc == 137, err
    first = record(project, "p-1")
    assert first["status"] == "killed" and first["signal"] == 9
    assert first["metrics"]["summary"]["loss"]["count"] == 4
    snapshot1 = first["code"]["snapshot"]
    commits_before = len(branch_commits(project))

    # The code changes between the attempts (a fix before restarting): each attempt's snapshot is kept.
    (project / "app.py").write_text("def handler(request):\n    return 'fixed'\n")
    out = trail("run", "--resume", "p-1", "--", *argv, cwd=project, env=env_with_stall(0))
    assert "training from step 5" in out.stdout
    assert "p-1 finished" in out.stderr

    assert len(branch_commits(project)) == commits_before + 1
    assert git("ls-tree", "--name-only", f"trail:runs/000", cwd=project).splitlines() == ["p-1"]
    rec = record(project, "p-1")
    assert rec["id"] == "p-1" and rec["number"] == 1 and rec["uid"] == first["uid"]
    assert rec["status"] == "finished" and rec["exit_code"] == 0 and "signal" not in rec
    assert rec["started"] == first["started"]
    # Metrics continue: steps 1..10, no gap, no duplicate; the summary covers both attempts.
    assert series_steps(project, "p-1", "loss") == list(range(1, 11))
    loss = rec["metrics"]["summary"]["loss"]
    assert loss["count"] == 10 and loss["last_step"] == 10
    # Two attempts, oldest first, with their times and outcomes; the duration is their sum.
    a1, a2 = rec["attempts"]
    assert a1["status"] == "killed" and a1["signal"] == 9 and a1["exit_code"] == 137
    assert a1["started"] == first["started"] and a1["ended"] == first["ended"]
    assert a2["status"] == "finished" and a2["exit_code"] == 0 and "signal" not in a2
    assert a2["started"] >= a1["ended"] and a2["ended"] == rec["ended"]
    assert abs(rec["duration_s"] - (a1["duration_s"] + a2["duration_s"])) < 0.002
    # Each attempt's snapshot: the ref names the newest, whose second parent is the previous one.
    assert a1["snapshot"] == snapshot1
    assert a2["snapshot"] == rec["code"]["snapshot"] != snapshot1
    assert git("rev-parse", "refs/trail/code/p-1", cwd=project) == a2["snapshot"]
    parents = git("rev-parse", f"{a2['snapshot']}^1", f"{a2['snapshot']}^2", cwd=project).splitlines()
    assert parents == [git("rev-parse", "HEAD", cwd=project), snapshot1]
    assert "fixed" in git("show", f"{a2['snapshot']}:app.py", cwd=project)
    assert "fixed" not in git("show", f"{snapshot1}:app.py", cwd=project)
    # The output of both attempts, with a separator between them.
    log = git("show", f"trail:{run_dir('p-1')}/output.log", cwd=project)
    assert log.index("training from step 1") < log.index("--- trail: resumed ") < log.index("training from step 5")
    assert not os.listdir(project / ".trail" / "live")
    assert [r["id"] for r in ls_json(project)] == ["p-1"]
    # The next run is numbered after it, as always.
    trail("run", "--", PYTHON, "-c", "pass", cwd=project)
    assert record(project, "p-2")["status"] == "finished"


def test_resume_by_uid_and_a_metric_without_steps_continues_its_count(project):
    code = ("import json, os\n"
            "with open(os.environ['TRAIL_METRICS'], 'a') as f:\n"
            "    for i in range(3): f.write(json.dumps({'acc': i}) + '\\n')\n"
            "print('resume', os.environ.get('TRAIL_RESUME'), os.environ.get('TRAIL_RESUME_STEP'))\n"
            "raise SystemExit(int(os.environ.get('FAIL', '0')))\n")
    from conftest import env_with
    trail("run", "--tag", "a=1", "-p", "lr=0.1", "--", PYTHON, "-c", code, cwd=project,
          env=env_with(FAIL="3"), check=False)
    first = record(project, "p-1")
    assert first["status"] == "failed" and first["exit_code"] == 3
    out = trail("run", "--resume", first["uid"], "--tag", "b=2", "-p", "lr=0.2", "--", PYTHON, "-c", code,
                cwd=project)
    assert "resume 1 2" in out.stdout
    rec = record(project, "p-1")
    assert series_steps(project, "p-1", "acc") == [0, 1, 2, 3, 4, 5]
    assert rec["tags"] == {"a": "1", "b": "2"} and rec["params"]["lr"] == 0.2
    assert [a["status"] for a in rec["attempts"]] == ["failed", "finished"]
    shown = trail("show", "p-1", cwd=project).stdout
    assert "failed (exit 3) in" in shown.split("attempt 1")[1].splitlines()[0]
    assert "finished (exit 0) in" in shown.split("attempt 2")[1].splitlines()[0]
    # A third attempt appends a third entry.
    trail("run", "--resume", "1", "--force", "--", PYTHON, "-c", code, cwd=project)
    rec = record(project, "p-1")
    assert [a["status"] for a in rec["attempts"]] == ["failed", "finished", "finished"]
    assert series_steps(project, "p-1", "acc") == list(range(9))
    assert rec["output"] == "output.log"
    assert git("show", f"trail:{run_dir('p-1')}/output.log", cwd=project).count("--- trail: resumed ") == 2


def test_a_finished_run_is_refused_without_force(project):
    trail("run", "--", PYTHON, "-c", "print('hi')", cwd=project)
    commits = branch_commits(project)
    ref = git("rev-parse", "refs/trail/code/p-1", cwd=project)
    proc = trail("run", "--resume", "p-1", "--", PYTHON, "-c", "print('again')", cwd=project, check=False)
    assert proc.returncode != 0
    assert proc.stderr.strip().splitlines()[-1].endswith("p-1 finished; --force to reopen it")
    assert "again" not in proc.stdout
    assert branch_commits(project) == commits
    assert git("rev-parse", "refs/trail/code/p-1", cwd=project) == ref
    assert not os.listdir(project / ".trail" / "live")

    trail("run", "--resume", "p-1", "--force", "--", PYTHON, "-c", "print('again')", cwd=project)
    rec = record(project, "p-1")
    assert [a["status"] for a in rec["attempts"]] == ["finished", "finished"]


def test_unknown_run_and_bad_flags_are_refused_and_write_nothing(project):
    trail("run", "--", PYTHON, "-c", "raise SystemExit(1)", cwd=project, check=False)
    commits = branch_commits(project)
    for args, message in [(["--resume", "p-9"], "no run p-9"), (["--resume", "nope"], "no run nope"),
                          (["--force"], "--force only goes with --resume")]:
        proc = trail("run", *args, "--", PYTHON, "-c", "print('ran')", cwd=project, check=False)
        assert proc.returncode != 0, args
        assert message in proc.stderr, proc.stderr
        assert len(proc.stderr.strip().splitlines()) == 1, proc.stderr
        assert "ran" not in proc.stdout
    assert branch_commits(project) == commits
    assert not os.listdir(project / ".trail" / "live")


def test_a_live_run_is_refused_and_a_resumed_attempt_is_live(project, scripts, tmp_path):
    script = write_script(scripts, "train.py", TRAIN)
    ckpt, pidfile = tmp_path / "ckpt.json", tmp_path / "pid"
    argv = [PYTHON, script, "6", str(ckpt), str(pidfile)]
    rc, err = start_and_kill_child(project, argv, pidfile, stall_at=2)
    assert rc == 137, err
    commits = branch_commits(project)
    # The resumed attempt stalls at step 4: it is running, and shown once, as running.
    proc = trail_popen("run", "--resume", "p-1", "--", *argv, cwd=project, env=env_with_stall(4))
    try:
        wait_for(pidfile.exists, timeout=30, what="resumed child stalled")
        rows = ls_json(project)
        assert [(r["id"], r["status"]) for r in rows] == [("p-1", "running")]
        refused = trail("run", "--resume", "p-1", "--force", "--", PYTHON, "-c", "pass", cwd=project, check=False)
        assert refused.returncode != 0 and "p-1 is running now" in refused.stderr
        assert branch_commits(project) == commits
        # trail itself dies, then its child: the next command records everything, old and new.
        proc.kill()
        proc.wait(timeout=30)
        os.kill(int(pidfile.read_text()), signal.SIGKILL)
        wait_for(lambda: ls_json(project)[0]["status"] == "crashed", timeout=30, what="recovery")
    finally:
        if proc.poll() is None:
            proc.kill()
    rec = record(project, "p-1")
    assert rec["status"] == "crashed"
    assert [a["status"] for a in rec["attempts"]] == ["killed", "crashed"]
    assert series_steps(project, "p-1", "loss") == [1, 2, 3, 4]
    assert not os.listdir(project / ".trail" / "live")
    # A crashed run can be resumed in turn, and finishes the training.
    pidfile.unlink()
    trail("run", "--resume", "p-1", "--", *argv, cwd=project, env=env_with_stall(0))
    rec = record(project, "p-1")
    assert series_steps(project, "p-1", "loss") == [1, 2, 3, 4, 5, 6]
    assert [a["status"] for a in rec["attempts"]] == ["killed", "crashed", "finished"]
    parents = git("rev-list", "--parents", "-n", "1", "refs/trail/code/p-1", cwd=project).split()
    assert parents[2] == rec["attempts"][1]["snapshot"]
    assert git("rev-parse", f"{parents[2]}^2", cwd=project) == rec["attempts"][0]["snapshot"]


def test_a_resumed_run_reaches_other_clones_and_a_conflicting_edit_is_refused(tmp_path):
    from test_share_runs import make_team
    _, (a, b) = make_team(tmp_path, ("a", "b"))
    fail = [PYTHON, "-c", "import json, os\n"
                          "with open(os.environ['TRAIL_METRICS'], 'a') as f: f.write(json.dumps({'loss': 1}) + '\\n')\n"
                          "raise SystemExit(int(os.environ.get('TRAIL_RESUME', '0')) - 1 and 2)"]
    trail("run", "--", *fail, cwd=a, check=False)
    trail("push", cwd=a)
    trail("pull", cwd=b)
    assert record(b, "p-1", branch="trail")["status"] == "failed"
    # a resumes it and pushes; b, which did not touch it, gets both attempts and both snapshots.
    trail("run", "--resume", "p-1", "--", *fail, cwd=a)
    trail("push", cwd=a)
    trail("pull", cwd=b)
    rec = record(b, "p-1")
    assert [x["status"] for x in rec["attempts"]] == ["failed", "finished"]
    assert rec["metrics"]["summary"]["loss"]["count"] == 2
    snapshot = git("rev-parse", "refs/trail/code/p-1", cwd=b)
    assert snapshot == rec["attempts"][1]["snapshot"]
    assert git("rev-parse", f"{snapshot}^2", cwd=b) == rec["attempts"][0]["snapshot"]
    # Both clones change the record: a resumes it again, b tags it. b's pull refuses the merge,
    # naming the record, and loses nothing: a's attempts stay on the remote, b's tag on b.
    trail("run", "--resume", "p-1", "--force", "--", *fail, cwd=a)
    trail("push", cwd=a)
    trail("tag", "p-1", "k=v", cwd=b)
    refused = trail("pull", cwd=b, check=False)
    assert refused.returncode != 0 and f"{run_dir('p-1')}/run.yaml" in refused.stderr
    assert record(b, "p-1")["tags"] == {"k": "v"}
    assert len(record(a, "p-1")["attempts"]) == 3

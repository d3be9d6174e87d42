"""trail.start_run(run_id=...): a crashed run continued from inside the training process."""
import os
import signal
import subprocess

from conftest import PYTHON, _ENV, branch_commits, python, record, series, trail, wait_for, write

# Logs one loss per step from where the run stopped; with CRASH_AT it dies by SIGKILL after that
# step (its points flushed first), as a pre-empted machine would.
TRAIN = """
import os, signal, sys
import trail
run_id = os.environ.get("RESUME") or None
with trail.start_run(run_id=run_id, params={"lr": float(os.environ.get("LR", "0.1"))}) as run:
    start = trail.resume_step()
    print("RUN", run.id, "FROM", start, flush=True)
    first = 1 if start is None else start + 1
    for step in range(first, 9):
        trail.log_metric("loss", 1.0 / step, step=step)
        trail.log_metric("seen", step)  # no step: its own count continues across attempts
        if step == int(os.environ.get("CRASH_AT", "0")):
            trail.flush()
            os.kill(os.getpid(), signal.SIGKILL)
"""


def env(**extra):
    e = dict(_ENV)
    e.update(extra)
    return e


def test_start_run_with_run_id_continues_a_killed_run(project):
    script = write(project, "train.py", TRAIN)
    first = python(script, cwd=project, env=env(CRASH_AT="3"), check=False)
    assert first.returncode == -signal.SIGKILL
    assert "RUN p-1 FROM None" in first.stdout
    trail("ls", cwd=project)  # records the dead run as crashed
    assert record(project, "p-1")["status"] == "crashed"

    out = python(script, cwd=project, env=env(RESUME="p-1", LR="0.2")).stdout
    assert "RUN p-1 FROM 3" in out
    rec = record(project, "p-1")
    assert rec["status"] == "finished" and rec["params"]["lr"] == 0.2
    assert [a["status"] for a in rec["attempts"]] == ["crashed", "finished"]
    assert [s for s, _ in series(project, "p-1", "loss")] == list(range(1, 9))
    assert [v for _, v in series(project, "p-1", "seen")] == list(range(1, 9))
    assert [s for s, _ in series(project, "p-1", "seen")] == list(range(8))
    assert len([c for c in branch_commits(project) if c.startswith("trail: p-1 ")]) == 2


def test_start_run_with_run_id_refuses_a_finished_run_and_an_unknown_one(project):
    script = write(project, "train.py", TRAIN)
    python(script, cwd=project)
    commits = branch_commits(project)
    refused = python(script, cwd=project, env=env(RESUME="p-1"), check=False)
    assert refused.returncode != 0 and "p-1 finished; --force to reopen it" in refused.stderr
    unknown = python(script, cwd=project, env=env(RESUME="p-7"), check=False)
    assert unknown.returncode != 0 and "no run p-7" in unknown.stderr
    assert branch_commits(project) == commits
    forced = write(project, "force.py", "import trail\nwith trail.start_run(run_id='1', force=True) as r:\n"
                                        "    print('FROM', trail.resume_step())\n")
    assert "FROM 8" in python(forced, cwd=project).stdout
    assert len(record(project, "p-1")["attempts"]) == 2


def test_resume_step_under_trail_run_resume(project):
    script = write(project, "train.py", TRAIN)
    trail("run", "--", PYTHON, script, cwd=project, env=env(CRASH_AT="5"), check=False)
    assert record(project, "p-1")["status"] == "killed"
    # Under `trail run --resume`, start_run joins that run; run_id may name it.
    out = trail("run", "--resume", "p-1", "--", PYTHON, script, cwd=project, env=env(RESUME="p-1")).stdout
    assert "RUN p-1 FROM 5" in out
    assert [s for s, _ in series(project, "p-1", "loss")] == list(range(1, 9))
    wrong = trail("run", "--resume", "p-1", "--force", "--", PYTHON, script, cwd=project, env=env(RESUME="p-2"),
                  check=False)
    assert "runs under trail run as run p-1, not p-2" in wrong.stderr

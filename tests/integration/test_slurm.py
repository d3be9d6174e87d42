"""trail on a real single-node Slurm cluster (slurm_cluster.py): `trail run --slurm` and sweeps whose
trials are batch jobs; cancelled, killed and failed jobs; resuming a sweep; many jobs at once; the
two tasks of `srun -n 2 trail run` in a batch job recording one run (docs/distributed.md).

One cluster serves the whole file. The node has 2 CPUs, so at most two jobs run at once."""
import os
import signal
import subprocess
from pathlib import Path

import pytest
import yaml

from conftest import (PYTHON, TRAIL, branch_file, env_with, git, git_ok, ls_ids, ls_json, record, trail,
                      trail_popen, wait_for, write_script)
from slurm_cluster import slurm_cluster  # noqa: F401  (the session fixture)

TRAIN = r"""
import argparse, json, os, time
p = argparse.ArgumentParser()
p.add_argument("--lr", type=float, default=0.1)
p.add_argument("--epochs", type=int, default=3)
p.add_argument("--sleep", type=float, default=0.0)
p.add_argument("--worse", type=int, default=0)
a = p.parse_args()
with open(os.environ["TRAIL_METRICS"], "a", buffering=1) as f:
    for e in range(a.epochs):
        loss = (a.lr - 0.3) ** 2 + (0.1 * e if a.worse else 1.0 / (e + 1))
        f.write(json.dumps({"epoch": e, "val_loss": loss, "node": os.environ.get("SLURM_JOB_ID", "")}) + "\n")
        time.sleep(a.sleep)
"""


@pytest.fixture
def cluster(slurm_cluster):  # noqa: F811
    yield slurm_cluster
    # A test that set the node down must not leave it so for the next one.
    if slurm_cluster.run("sinfo", "-h", "-o", "%T", check=False).stdout.strip() != "idle":
        slurm_cluster.resume_node()


def submit(project, cluster, *args):
    proc = trail("run", "--slurm", *args, cwd=project, env=cluster.env())
    job_id, run_id = proc.stdout.split()
    return job_id, run_id


def wait_recorded(project, run_id, timeout=40):
    wait_for(lambda: not (Path(project) / ".trail" / "live" / run_id).exists(), timeout=timeout, interval=0.2,
             what=f"{run_id} recorded")
    return record(project, run_id)


def live_status(project, cluster, run_id):
    """The run's status as `trail ls` shows it (runs in progress are listed only unfiltered)."""
    rows = [r for r in ls_json(project, env=cluster.env()) if r["id"] == run_id]
    return rows[0]["status"] if rows else None


def sweep_record(repo, sweep_id):
    return yaml.safe_load(branch_file(repo, f"sweeps/{sweep_id}/sweep.yaml"))


def test_run_on_slurm_is_queued_then_recorded_by_its_job(project, scripts, cluster):
    script = write_script(scripts, "train.py", TRAIN)
    job_id, run_id = submit(project, cluster, "--cpus", "1", "--time", "5", "-p", "batch=32", "--",
                            PYTHON, script, "--lr", "0.2", "--sleep", "0.5")
    assert run_id == "p-1" and job_id.isdigit()
    # Listed at once, as queued or (the job started) running; never twice.
    rows = [r for r in ls_json(project, env=cluster.env()) if r["id"] == run_id]
    assert len(rows) == 1 and rows[0]["status"] in ("queued", "running")
    rec = wait_recorded(project, run_id)
    assert rec["status"] == "finished"
    assert rec["executor"]["kind"] == "slurm" and rec["executor"]["job_id"] == job_id
    assert rec["executor"]["options"] == {"time": "5", "cpus": 1}
    assert rec["params"]["lr"] == 0.2 and rec["params"]["batch"] == 32
    assert rec["metrics"]["summary"]["val_loss"]["last"] == pytest.approx(0.01 + 1 / 3)
    assert ls_ids(project) == ["p-1"]
    script_text = (Path(project) / ".trail" / "jobs" / "p-1.sh").read_text()
    assert "#SBATCH --cpus-per-task=1\n" in script_text and "'--queued-run' 'p-1'" in script_text

    # --wait follows the job and returns the command's exit code.
    proc = trail("run", "--slurm", "--wait", "--", PYTHON, "-c", "import sys; sys.exit(3)", cwd=project,
                 env=cluster.env(), check=False)
    assert proc.returncode == 3, proc.stderr
    assert record(project, "p-2")["status"] == "failed"


def test_bad_slurm_options_are_refused_before_anything_is_queued(project, cluster):
    proc = trail("run", "--slurm", "--sbatch-arg", "exclusive", "--", "true", cwd=project, env=cluster.env(),
                 check=False)
    assert proc.returncode != 0
    assert "sbatch_args: \"exclusive\" is not an option" in proc.stderr
    proc = trail("run", "--slurm", "--partition", "nosuch", "--", "true", cwd=project, env=cluster.env(), check=False)
    assert proc.returncode != 0 and "sbatch refused the job" in proc.stderr
    proc = trail("run", "--partition", "debug", "--", "true", cwd=project, env=cluster.env(), check=False)
    assert proc.returncode != 0 and "--slurm" in proc.stderr
    assert not list((Path(project) / ".trail" / "live").glob("p-*"))
    assert ls_json(project) == []


def test_job_cancelled_with_scancel_is_recorded_killed(project, scripts, cluster):
    script = write_script(scripts, "train.py", TRAIN)
    job_id, run_id = submit(project, cluster, "--", PYTHON, script, "--epochs", "100", "--sleep", "0.2")
    wait_for(lambda: live_status(project, cluster, run_id) == "running", timeout=20, interval=0.2, what="running")
    cluster.run("scancel", job_id)
    rec = wait_recorded(project, run_id)
    assert rec["status"] == "killed" and rec["signal"] == 15
    assert rec["executor"]["job_id"] == job_id
    # Slurm's word is added when its answer came in time (the job's trail run asks as it ends).
    if "state" in rec["executor"]:
        assert rec["executor"]["state"] == "CANCELLED"
        assert "cancelled (scancel)" in rec["executor"]["reason"]


def test_node_down_mid_run_is_recorded_failed_with_the_reason(project, scripts, cluster):
    script = write_script(scripts, "train.py", TRAIN)
    job_id, run_id = submit(project, cluster, "--", PYTHON, script, "--epochs", "100", "--sleep", "0.2")
    wait_for(lambda: live_status(project, cluster, run_id) == "running", timeout=20, interval=0.2, what="running")
    cluster.run("scontrol", "update", f"nodename={cluster.node}", "state=down", "reason=test")
    rec = wait_recorded(project, run_id)
    assert rec["status"] == "failed", rec
    assert rec["executor"]["state"] == "NODE_FAIL"
    assert "its node failed" in rec["executor"]["reason"]


def test_sweep_trials_become_jobs_and_a_pruned_trials_job_is_cancelled(project, scripts, cluster):
    script = write_script(scripts, "train.py", TRAIN)
    spec = Path(project).parent / "sweep.yaml"
    spec.write_text(f"""
command: {PYTHON} {script} --lr {{lr}} --worse {{worse}} --epochs 40 --sleep 0.15
objective: {{metric: val_loss, goal: minimize}}
strategy: grid
space:
  lr: {{choice: [0.2]}}
  worse: {{choice: [0, 1]}}
budget: {{parallel: 2}}
early_stop: {{metric: val_loss, patience: 3}}
executor: {{slurm: {{cpus: 1, time: "5"}}}}
""")
    # the improving trial runs all 40 epochs (6 s); the worsening one is stopped after a few
    proc = trail("sweep", spec, "--quiet", cwd=project, env=cluster.env(), timeout=90)
    assert "Sweep p-sweep-1  finished" in proc.stdout, proc.stderr
    trials = ls_json(project, "--where", "attributes.parent = 'p-sweep-1'")
    assert len(trials) == 2
    recs = {record(project, t["id"])["params"]["worse"]: record(project, t["id"]) for t in trials}
    assert recs[0]["status"] == "finished" and recs[1]["status"] == "pruned"
    jobs = {r["executor"]["job_id"] for r in recs.values()}
    assert len(jobs) == 2
    assert cluster.job(recs[1]["executor"]["job_id"]).get("JobState") == "CANCELLED"
    assert cluster.job(recs[0]["executor"]["job_id"]).get("JobState") == "COMPLETED"
    assert recs[1]["hyperparameters"]["strategy"] == "grid"


def test_resumed_sweep_follows_its_jobs_and_completes_the_budget(project, scripts, cluster):
    script = write_script(scripts, "train.py", TRAIN)
    spec = Path(project).parent / "sweep.yaml"
    spec.write_text(f"""
command: {PYTHON} {script} --lr {{lr}} --epochs 4 --sleep 0.5
objective: val_loss
strategy: grid
space: {{lr: {{choice: [0.1, 0.2, 0.3, 0.4]}}}}
budget: {{parallel: 2}}
executor: slurm
""")
    driver = trail_popen("sweep", spec, "--quiet", cwd=project, env=cluster.env())
    wait_for(lambda: len(cluster.run("squeue", "-h", "-o", "%i").stdout.split()) == 2, timeout=20, interval=0.1,
             what="two jobs submitted")
    driver.send_signal(signal.SIGKILL)  # the driver dies; its jobs carry on
    driver.wait()
    proc = trail("sweep", "resume", "p-sweep-1", "--quiet", cwd=project, env=cluster.env(), timeout=90)
    assert "finished" in proc.stdout, proc.stderr
    trials = ls_json(project, "--where", "attributes.parent = 'p-sweep-1'")
    assert len(trials) == 4
    recs = [record(project, t["id"]) for t in trials]
    assert all(r["status"] == "finished" for r in recs)
    assert sorted(r["params"]["lr"] for r in recs) == [0.1, 0.2, 0.3, 0.4]
    # Four jobs in all: the two from before the crash were followed, not submitted again.
    assert len({r["executor"]["job_id"] for r in recs}) == 4
    assert len(list((Path(project) / ".trail" / "jobs").glob("*.sh"))) == 4
    assert len(sweep_record(project, "p-sweep-1")["trials"]) == 4


def test_eight_trials_at_once_as_jobs_get_unique_ids_and_lose_nothing(project, scripts, cluster):
    # What `parallel: 64` does on a cluster, at the size of one 2-CPU node.
    script = write_script(scripts, "train.py", TRAIN)
    spec = Path(project).parent / "sweep.yaml"
    spec.write_text(f"""
command: {PYTHON} {script} --lr {{lr}} --epochs 2
objective: val_loss
strategy: grid
space: {{lr: {{choice: [0.1, 0.15, 0.2, 0.25, 0.3, 0.35, 0.4, 0.45]}}}}
budget: {{parallel: 8}}
executor: {{slurm: {{cpus: 1}}}}
""")
    proc = trail("sweep", spec, "--quiet", cwd=project, env=cluster.env(), timeout=120)
    assert "finished" in proc.stdout, proc.stderr
    trials = ls_json(project, "--where", "attributes.parent = 'p-sweep-1'")
    ids = [t["id"] for t in trials]
    assert len(ids) == 8 and len(set(ids)) == 8
    recs = [record(project, i) for i in ids]
    assert sorted(r["params"]["lr"] for r in recs) == [0.1, 0.15, 0.2, 0.25, 0.3, 0.35, 0.4, 0.45]
    assert all(r["status"] == "finished" and r["metrics"]["summary"]["val_loss"]["count"] == 2 for r in recs)
    assert len({r["executor"]["job_id"] for r in recs}) == 8
    assert not list((Path(project) / ".trail" / "live").glob("p-*"))


# ---- cluster.locks: node-local (docs/cluster.md) ------------------------------------------------
# The jobs run with an LD_PRELOAD shim whose flock() succeeds and locks nothing inside a Slurm job:
# locks that do not hold between a job's node and the login node (NFS nolock, Lustre localflock).
# Outside a job (the driver, this test) it is the real flock. The project is in node-local mode.
# The shim travels to the jobs in the submitter's environment (sbatch's default --export=ALL):
# a job submitted with --export=ALL,VAR=value starts seconds later on this Slurm.

NO_LOCKS_SHIM = r"""
#define _GNU_SOURCE
#include <dlfcn.h>
#include <stdlib.h>
int flock(int fd, int operation) {
  if (getenv("SLURM_JOB_ID")) return 0;
  int (*real)(int, int) = (int (*)(int, int))dlsym(RTLD_NEXT, "flock");
  return real(fd, operation);
}
"""


# A trial that says whether it ran with the shim: two exclusive locks on one file both succeed.
# In sh, so that a trial costs little more than its job: x is its one argument.
PROBE_SH = r"""
exec 3>>"$TRAIL_METRICS.probe"
flock -n 3
if flock -n "$TRAIL_METRICS.probe" true; then unheld=1; else unheld=0; fi
echo "{\"x\": $1, \"locks_unheld\": $unheld}" >> "$TRAIL_METRICS"
"""

PROBE = r"""
import argparse, fcntl, json, os
p = argparse.ArgumentParser()
p.add_argument("--x", type=int, default=0)
p.add_argument("--sleep", type=float, default=0.0)
a = p.parse_args()
path = os.environ["TRAIL_METRICS"] + ".probe"
one, two = open(path, "w"), open(path, "w")
fcntl.flock(one, fcntl.LOCK_EX | fcntl.LOCK_NB)
try:
    fcntl.flock(two, fcntl.LOCK_EX | fcntl.LOCK_NB)
    unlocked = 1
except OSError:
    unlocked = 0
with open(os.environ["TRAIL_METRICS"], "a", buffering=1) as f:
    f.write(json.dumps({"x": a.x, "locks_unheld": unlocked}) + "\n")
    if a.sleep:
        import time
        for i in range(int(a.sleep * 5)):
            f.write(json.dumps({"tick": i}) + "\n")
            time.sleep(0.2)
"""


@pytest.fixture(scope="module")
def no_locks_shim(tmp_path_factory):
    d = tmp_path_factory.mktemp("shim")
    (d / "nolocks.c").write_text(NO_LOCKS_SHIM)
    subprocess.run(["cc", "-shared", "-fPIC", "-O1", "-o", str(d / "nolocks.so"), str(d / "nolocks.c"), "-ldl"],
                   check=True)
    return d / "nolocks.so"


def node_local(project):
    config = Path(project) / ".trail" / "config.yaml"
    config.write_text(config.read_text() + "cluster: {locks: node-local}\n")


def test_node_local_locks_sweep_of_sixteen_jobs_commits_each_once_on_the_login_node(project, scripts, cluster,
                                                                                     no_locks_shim):
    node_local(project)
    script = write_script(scripts, "probe.sh", PROBE_SH)
    spec = Path(project).parent / "sweep.yaml"
    spec.write_text(f"""
command: sh {script} {{x}}
objective: {{metric: x, goal: maximize}}
strategy: grid
space: {{x: {{choice: [{", ".join(str(i) for i in range(16))}]}}}}
budget: {{parallel: 16}}
executor: {{slurm: {{partition: shared, cpus: 1}}}}
""")
    proc = trail("sweep", spec, "--quiet", cwd=project, env=cluster.env(LD_PRELOAD=str(no_locks_shim)), timeout=120)
    assert "finished" in proc.stdout, proc.stderr
    trials = ls_json(project, "--where", "attributes.parent = 'p-sweep-1'")
    recs = [record(project, t["id"]) for t in trials]
    assert len(recs) == 16
    assert len({r["id"] for r in recs}) == 16 and len({r["number"] for r in recs}) == 16
    assert sorted(r["params"]["x"] for r in recs) == list(range(16))
    for r in recs:
        assert r["status"] == "finished", r
        assert r["metrics"]["summary"]["x"]["last"] == r["params"]["x"]
        # The job really ran without working locks.
        assert r["metrics"]["summary"]["locks_unheld"]["last"] == 1
        # The job left its code snapshot unnamed; the login node named it when it committed.
        assert r["code"]["ref"] == f"refs/trail/code/{r['id']}"
        assert git("rev-parse", r["code"]["ref"], cwd=project) == r["code"]["snapshot"]
    assert len({r["executor"]["job_id"] for r in recs}) == 16
    assert not list((Path(project) / ".trail" / "live").glob("p-*"))
    # One commit per run on the branch, none twice.
    messages = git("log", "--format=%s", "trail", cwd=project).splitlines()
    assert sorted(m.split()[1] for m in messages if m.startswith("trail: p-") and "finished" in m) == \
        sorted(r["id"] for r in recs)
    job_out = (Path(project) / ".trail" / "jobs" / f"{recs[0]['id']}.out").read_text()
    assert "for the login node to commit it" in job_out
    job_script = (Path(project) / ".trail" / "jobs" / f"{recs[0]['id']}.sh").read_text()
    assert "export TRAIL_CLUSTER_LOCKS='node-local'\n" in job_script


def test_node_local_locks_running_jobs_are_not_recovered_and_cancelled_ones_are_recorded(project, scripts, cluster,
                                                                                         no_locks_shim):
    node_local(project)
    script = write_script(scripts, "probe.py", PROBE)
    jobs = []
    for _ in range(2):
        proc = trail("run", "--slurm", "--partition", "shared", "--", PYTHON, script, "--sleep", "60", cwd=project,
                     env=cluster.env(LD_PRELOAD=str(no_locks_shim)))
        jobs.append(tuple(proc.stdout.split()))
    try:
        check_running_then_cancel(project, cluster, jobs)
    finally:
        for job_id, _ in jobs:
            cluster.run("scancel", job_id, check=False)
    (term_job, term_run), (kill_job, kill_run) = jobs
    # scancel: the job's trail run records the kill into its live folder, this node commits it.
    rec = record(project, term_run)
    assert rec["status"] == "killed" and rec["signal"] == 15 and rec["executor"]["job_id"] == term_job
    assert rec["metrics"]["summary"]["locks_unheld"]["last"] == 1
    # The other job's trail run was killed outright (as with its node): no word from it. Recorded from
    # its folder with Slurm's verdict, once Slurm said the job ended.
    rec = record(project, kill_run)
    assert rec["status"] == "failed", rec
    assert rec["executor"]["job_id"] == kill_job and rec["executor"]["state"] == "FAILED"
    assert rec["metrics"]["summary"]["locks_unheld"]["last"] == 1


def kill_trail_run_of(run_id, project):
    """SIGKILLs the job's `trail run --queued-run RUN_ID` (this one node is the job's node too).
    Every test's project numbers its runs from 1, so the command must also name this test's
    folder: a `trail run` of an earlier test (or test session) still running is not this one."""
    ours = str(Path(project).parent).encode()
    for pid in os.listdir("/proc"):
        try:
            argv = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        if (argv[0].endswith(b"/trail") and argv[1:4] == [b"run", b"--queued-run", run_id.encode()]
                and any(a.startswith(ours) for a in argv[4:])):
            os.kill(int(pid), signal.SIGKILL)
            return
    raise AssertionError(f"no trail run of {run_id}")


def check_running_then_cancel(project, cluster, jobs):
    lives = [Path(project) / ".trail" / "live" / run_id for _, run_id in jobs]
    wait_for(lambda: all((d / "metrics.jsonl").exists() and (d / "metrics.jsonl").stat().st_size > 0 for d in lives),
             timeout=30, interval=0.2, what="the jobs' metrics")
    # Their locks look free from here; recovery asks Slurm instead, which says RUNNING.
    for _ in range(2):
        rows = {r["id"]: r["status"] for r in ls_json(project, env=cluster.env())}
        assert all(rows.get(run_id) == "running" for _, run_id in jobs), rows
    assert all(d.exists() for d in lives)
    assert not git_ok("rev-parse", "--verify", "-q", "refs/heads/trail", cwd=project)
    gc = trail("gc", cwd=project, env=cluster.env(), check=False)
    assert gc.returncode != 0 and "is recording" in gc.stderr
    cluster.run("scancel", jobs[0][0])
    kill_trail_run_of(jobs[1][1], project)

    def committed():
        trail("ls", cwd=project, env=cluster.env())
        return not any(d.exists() for d in lives)

    wait_for(committed, timeout=40, interval=0.3, what="both runs committed")


def test_node_local_locks_settings_and_what_a_job_may_not_do(project):
    config = Path(project) / ".trail" / "config.yaml"
    original = config.read_text()
    config.write_text(original + "cluster: {locks: nolock}\n")
    proc = trail("ls", cwd=project, check=False)
    assert proc.returncode != 0
    assert "cluster.locks: expected cluster-wide or node-local, not \"nolock\"" in proc.stderr
    config.write_text(original)
    proc = trail("ls", cwd=project, env=env_with(TRAIL_CLUSTER_LOCKS="local"), check=False)
    assert proc.returncode != 0 and "TRAIL_CLUSTER_LOCKS: expected" in proc.stderr
    # Inside a job, with node-local locks, a run cannot allocate its number: nothing is written.
    proc = trail("run", "--", "true", cwd=project, env=env_with(TRAIL_CLUSTER_LOCKS="node-local", SLURM_JOB_ID="7"),
                 check=False)
    assert proc.returncode != 0 and "cannot allocate a run here" in proc.stderr
    assert not list((Path(project) / ".trail" / "live").glob("p-*")) and ls_ids(project) == []
    # Outside a job the mode changes nothing for a local run.
    trail("run", "--", "true", cwd=project, env=env_with(TRAIL_CLUSTER_LOCKS="node-local"))
    assert record(project, "p-1")["status"] == "finished"


RANK_TRAIN = r"""
import json, os, sys
rank = int(os.environ["SLURM_PROCID"])
with open(os.environ["TRAIL_METRICS"], "a", buffering=1) as f:
    for step in range(3):
        f.write(json.dumps({"step": step, "loss": rank * 10 + step}) + "\n")
if os.environ.get("DIE_RANK") == str(rank):
    os.kill(os.getpid(), 9)
if str(rank) in os.environ.get("SLEEP_RANKS", "").split(","):
    import time; time.sleep(float(os.environ["SLEEP_S"]))
if os.environ.get("FAIL_RANK") == str(rank):
    sys.exit(4)
print("rank", rank, "of", os.environ["TRAIL_RUN_ID"], "in step", os.environ.get("SLURM_STEP_ID"))
"""


def srun_job(project, scripts, cluster, srun_args="", while_running=None, **env):
    """Submits a batch job whose step `srun -n 2 trail run -- python train.py` is two ranks of one
    run; calls `while_running(job id)`, waits for the job and returns (job id, what it printed)."""
    train = write_script(scripts, "ranks.py", RANK_TRAIN)
    job = Path(scripts) / "ranks.sh"
    job.write_text(f"#!/bin/sh\nexec srun -n 2 {srun_args} {TRAIL} run -- {PYTHON} {train}\n")
    out = Path(scripts) / "ranks.out"
    sub = subprocess.run(["sbatch", "--parsable", "-n", "2", "--time", "2", "-o", str(out), "-D", str(project),
                          str(job)], env=cluster.env(TRAIL_RANK_TIMEOUT="20", **env), capture_output=True,
                         text=True, timeout=30)
    assert sub.returncode == 0, sub.stderr
    job_id = sub.stdout.strip().split(";")[0]
    if while_running:
        while_running(job_id)
    wait_for(lambda: cluster.job(job_id).get("JobState") not in ("PENDING", "RUNNING", "COMPLETING"), timeout=40,
             interval=0.2, what=f"job {job_id} ended")
    return job_id, out.read_text()


def test_srun_tasks_of_a_batch_job_record_one_run(project, scripts, cluster):
    job_id, out = srun_job(project, scripts, cluster)
    assert cluster.job(job_id).get("JobState") == "COMPLETED", out
    assert ls_ids(project) == ["p-1"], out
    assert "rank 0 of p-1 in step 0" in out and "rank 1 of p-1 in step 0" in out, out
    rec = record(project, "p-1")
    assert rec["status"] == "finished"
    assert rec["ranks"] == {"world_size": 2, "group": f"slurm:{job_id}.0", "launcher": "slurm",
                            "status": ["finished", "finished"]}
    lasts = {k: v["last"] for k, v in rec["metrics"]["summary"].items() if not k.startswith("system/")}
    assert lasts == {"loss": 2, "rank1/loss": 12}
    assert not list((Path(project) / ".trail" / "live").glob("p-*"))


def test_srun_task_failures_and_a_cancelled_step(project, scripts, cluster):
    job_id, out = srun_job(project, scripts, cluster, FAIL_RANK="1")
    assert cluster.job(job_id).get("JobState") == "FAILED", out
    assert ls_ids(project) == ["p-1"], out
    rec = record(project, "p-1")
    assert rec["status"] == "failed" and rec["exit_code"] == 4
    assert rec["ranks"]["status"] == ["finished", "failed"]
    assert rec["ranks"]["failed"] == "rank 1 exited with code 4"
    assert "rank 1 exited with code 4: run p-1 failed" in out, out
    assert rec["metrics"]["summary"]["rank1/loss"]["count"] == 3

    # With --kill-on-bad-exit (KillOnBadExit=1 on many clusters) Slurm ends the step when rank 1
    # fails, killing rank 0 mid-run: the run still failed because of rank 1, and says so.
    job_id, out = srun_job(project, scripts, cluster, "--kill-on-bad-exit=1", FAIL_RANK="1", SLEEP_RANKS="0",
                           SLEEP_S="30")
    assert "CANCELLED AT" in out, out
    rec = wait_recorded(project, "p-2")
    assert rec["ranks"]["status"] == ["killed", "failed"], out
    assert rec["ranks"]["failed"] == "rank 1 exited with code 4"
    assert rec["status"] == "failed" and rec["exit_code"] == 4 and "signal" not in rec
    assert "rank 1 exited with code 4: run p-2 failed" in out, out

    # A cancelled job signals both ranks at once: the run was killed, not failed.
    def cancel_once_both_run(job_id):
        wait_for(lambda: (Path(project) / ".trail" / "live" / "p-3" / "rank1.lock").exists(), timeout=20,
                 interval=0.1, what="rank 1 attached")
        cluster.run("scancel", job_id)

    job_id, out = srun_job(project, scripts, cluster, while_running=cancel_once_both_run, SLEEP_RANKS="0,1",
                           SLEEP_S="30")
    rec = wait_recorded(project, "p-3")
    assert rec["status"] == "killed" and rec["signal"] == 15, out
    assert rec["ranks"]["status"] == ["killed", "killed"]

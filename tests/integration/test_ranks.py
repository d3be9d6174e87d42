"""One run, several processes (docs/distributed.md): ranks started as separate processes, each
under its own `trail run`, with the variables torchrun sets (RANK, WORLD_SIZE, LOCAL_RANK,
MASTER_ADDR, MASTER_PORT) or srun's (SLURM_PROCID, SLURM_STEP_NUM_TASKS, SLURM_JOB_ID,
SLURM_STEP_ID), record one run: rank 0's metrics under their own names, rank R's as
`rankR/<name>`, the run ended once every rank has, failed naming a rank that died or never came.

The ranks are started here directly (Debian's torch 1.13 torchrun fails in its own code); one
test trains a real DDP model over gloo on 127.0.0.1.
"""
import json
import socket

import pytest

import subprocess

from conftest import PYTHON, REPO_ROOT, env_with, ls_ids, record, trail, trail_popen, write_script

CLIENT = REPO_ROOT / "build" / "python"

RANK_SCRIPT = """
import json, os, signal, sys, time
rank = int(os.environ.get("RANK", os.environ.get("SLURM_PROCID", "0")))
with open(os.environ["TRAIL_METRICS"], "a") as f:
    for step in range(3):
        f.write(json.dumps({"step": step, "loss": rank * 10 + step}) + "\\n")
        f.flush()
if os.environ.get("DIE_RANK") == str(rank):
    os.kill(os.getpid(), signal.SIGKILL)
if os.environ.get("FAIL_RANK") == str(rank):
    sys.exit(3)
print(f"rank {rank} of {os.environ['TRAIL_RUN_ID']} done")
"""

DDP_SCRIPT = """
import json, os
import torch, torch.distributed as dist
from torch.nn.parallel import DistributedDataParallel
dist.init_process_group("gloo")
rank = dist.get_rank()
torch.manual_seed(0)
model = DistributedDataParallel(torch.nn.Linear(4, 1))
opt = torch.optim.SGD(model.parameters(), lr=0.1)
g = torch.Generator().manual_seed(100 + rank)
x, y = torch.randn(16, 4, generator=g), torch.randn(16, 1, generator=g)
with open(os.environ["TRAIL_METRICS"], "a") as f:
    for step in range(3):
        opt.zero_grad()
        loss = torch.nn.functional.mse_loss(model(x), y)
        loss.backward()
        opt.step()
        f.write(json.dumps({"step": step, "loss": loss.item(), "w0": model.module.weight[0, 0].item()}) + "\\n")
dist.destroy_process_group()
"""


CLIENT_SCRIPT = """
import os, sys, trail
rank = int(os.environ["RANK"])
run = trail.start_run(params={"lr": 0.1})
for step in range(3):
    trail.log_metric("loss", rank * 10 + step, step=step)
print("rank", rank, "logs to", run.info.run_id)
sys.exit(2 if os.environ.get("FAIL_RANK") == str(rank) else 0)
"""


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def scripts_dir(tmp_path_factory):
    d = tmp_path_factory.mktemp("rank_scripts")
    write_script(d, "rank.py", RANK_SCRIPT)
    write_script(d, "ddp.py", DDP_SCRIPT)
    write_script(d, "client.py", CLIENT_SCRIPT)
    return d


def torch_env(rank, world, port, **extra):
    extra = {"TRAIL_RANK_TIMEOUT": "20", **extra}
    return env_with(RANK=str(rank), WORLD_SIZE=str(world), LOCAL_RANK=str(rank), MASTER_ADDR="127.0.0.1",
                    MASTER_PORT=str(port), **extra)


def start_ranks(project, script, envs, order=None, args=()):
    """Starts one `trail run` per env (in `order` of ranks); returns the processes by rank."""
    procs = {}
    for r in order or range(len(envs)):
        procs[r] = trail_popen("run", *args, "--", PYTHON, str(script), cwd=project, env=envs[r])
    return [procs[r] for r in range(len(envs))]


def finish(procs):
    outs = []
    for p in procs:
        out, err = p.communicate(timeout=60)
        outs.append((p.returncode, out.decode(), err.decode()))
    return outs


def the_run(project):
    ids = ls_ids(project)
    assert len(ids) == 1, ids
    return record(project, ids[0])


def test_three_ranks_record_one_run_with_every_ranks_series(project, scripts_dir):
    port = free_port()
    envs = [torch_env(r, 3, port) for r in range(3)]
    # Rank 0 arrives last: the others wait for its run.
    outs = finish(start_ranks(project, scripts_dir / "rank.py", envs, order=[2, 1, 0]))
    for r, (code, out, err) in enumerate(outs):
        assert code == 0, (r, out, err)
        assert f"rank {r} of p-1 done" in out
    rec = the_run(project)
    assert rec["status"] == "finished"
    assert rec["ranks"] == {"world_size": 3, "group": f"env:127.0.0.1:{port}", "launcher": "env",
                            "status": ["finished"] * 3}
    summary = rec["metrics"]["summary"]
    assert {k: v["last"] for k, v in summary.items() if not k.startswith("system/")} == {"loss": 2, "rank1/loss": 12, "rank2/loss": 22}
    assert summary["rank2/loss"]["count"] == 3
    assert sorted(rec["metrics"]["series"]) == ["loss", "rank1/loss", "rank2/loss"]
    shown = trail("show", "p-1", cwd=project).stdout
    assert "rank1/loss" in shown and "rank2/loss" in shown
    assert f"group          env:127.0.0.1:{port} (env)" in shown, shown
    series = trail("show", "p-1", "--series", "rank2/loss", cwd=project).stdout
    assert [line.split("\t")[2] for line in series.splitlines()[1:]] == ["20", "21", "22"]
    # The live folder and the group's file are gone; the next job with the same key is a new run.
    assert not (project / ".trail" / "live" / "p-1").exists()
    assert list((project / ".trail" / "groups").iterdir()) == []
    outs = finish(start_ranks(project, scripts_dir / "rank.py", [torch_env(r, 2, port) for r in range(2)]))
    assert [o[0] for o in outs] == [0, 0], outs
    assert sorted(ls_ids(project)) == ["p-1", "p-2"]
    assert record(project, "p-2")["ranks"]["world_size"] == 2


def test_ddp_over_gloo_records_one_run(project, scripts_dir):
    pytest.importorskip("torch")
    port = free_port()
    envs = [torch_env(r, 3, port, OMP_NUM_THREADS="1") for r in range(3)]
    outs = finish(start_ranks(project, scripts_dir / "ddp.py", envs))
    for r, (code, out, err) in enumerate(outs):
        assert code == 0, (r, out, err)
    rec = the_run(project)
    assert rec["status"] == "finished"
    summary = rec["metrics"]["summary"]
    # (System metrics, sampled every 5 s, appear too when the run lasts that long under load.)
    assert {k for k in summary if not k.startswith("system/")} == {"loss", "w0", "rank1/loss", "rank1/w0", "rank2/loss",
                                                                    "rank2/w0"}
    # DDP averaged the gradients: every rank holds the same weights, while each had its own data.
    assert summary["w0"]["last"] == pytest.approx(summary["rank1/w0"]["last"]) == \
        pytest.approx(summary["rank2/w0"]["last"])
    assert summary["loss"]["last"] != summary["rank1/loss"]["last"]
    assert all(summary[k]["count"] == 3 for k in summary if not k.startswith("system/"))


def test_a_killed_rank_fails_the_run_naming_it(project, scripts_dir):
    port = free_port()
    envs = [torch_env(r, 3, port, DIE_RANK="2") for r in range(3)]
    outs = finish(start_ranks(project, scripts_dir / "rank.py", envs))
    assert outs[0][0] == 0 and outs[1][0] == 0 and outs[2][0] == 137, outs
    assert "rank 2 was killed by signal 9: run p-1 failed" in outs[0][2]
    rec = the_run(project)
    assert rec["status"] == "failed"
    assert rec["exit_code"] == 137
    assert rec["ranks"]["status"] == ["finished", "finished", "killed"]
    assert rec["ranks"]["failed"] == "rank 2 was killed by signal 9"
    assert "failed         rank 2 was killed by signal 9" in trail("show", "p-1", cwd=project).stdout
    # What the killed rank logged before it died is kept.
    assert rec["metrics"]["summary"]["rank2/loss"]["count"] == 3


def test_a_failing_rank_and_a_rank_that_never_comes(project, scripts_dir):
    port = free_port()
    envs = [torch_env(r, 4, port, FAIL_RANK="1", TRAIL_RANK_TIMEOUT="2") for r in range(4)]
    procs = [trail_popen("run", "--", PYTHON, str(scripts_dir / "rank.py"), cwd=project, env=envs[r])
             for r in range(3)]  # rank 3 never starts
    outs = finish(procs)
    assert [o[0] for o in outs] == [0, 3, 0], outs
    rec = the_run(project)
    assert rec["status"] == "failed"
    assert rec["ranks"]["status"] == ["finished", "failed", "finished", "missing"]
    assert rec["ranks"]["failed"] == "rank 1 exited with code 3"
    # A latecomer cannot attach to the ended run; it waits for a new rank 0, and says so.
    late = trail("run", "--", PYTHON, str(scripts_dir / "rank.py"), cwd=project,
                 env=envs[3] | {"TRAIL_RANK_TIMEOUT": "0.5"}, check=False)
    assert late.returncode != 0
    assert "rank 3 of env:127.0.0.1:" in late.stderr and "rank 0 started no run within" in late.stderr
    assert ls_ids(project) == ["p-1"]


def test_srun_tasks_record_one_run(project, scripts_dir):
    def srun_env(task):
        return env_with(SLURM_PROCID=str(task), SLURM_STEP_NUM_TASKS="2", SLURM_NTASKS="2", SLURM_LOCALID=str(task),
                        SLURM_JOB_ID="4242", SLURM_STEP_ID="0", SLURM_NODEID=str(task), TRAIL_RANK_TIMEOUT="20")
    outs = finish(start_ranks(project, scripts_dir / "rank.py", [srun_env(1), srun_env(0)], order=[0, 1]))
    assert [o[0] for o in outs] == [0, 0], outs
    rec = the_run(project)
    assert rec["ranks"]["group"] == "slurm:4242.0" and rec["ranks"]["launcher"] == "slurm"
    # SLURM_PROCID 0 (the second process here) is rank 0.
    assert rec["metrics"]["summary"]["loss"]["last"] == 2
    assert rec["metrics"]["summary"]["rank1/loss"]["last"] == 12
    # A batch script (no step id) is one process, whatever SLURM_NTASKS says.
    single = trail("run", "--", "true", cwd=project, env=env_with(SLURM_JOB_ID="4243", SLURM_NTASKS="4",
                                                                   SLURM_PROCID="0"))
    assert "p-2 finished" in single.stderr, single.stderr
    assert "ranks" not in record(project, "p-2")


@pytest.mark.parametrize("env, message", [
    ({"RANK": "3", "WORLD_SIZE": "2"}, "RANK=3 is not below WORLD_SIZE=2"),
    ({"RANK": "1"}, "RANK is set but WORLD_SIZE is not"),
    ({"RANK": "x", "WORLD_SIZE": "2"}, "RANK=x: expected an integer"),
    ({"RANK": "1", "WORLD_SIZE": "2"}, "nothing names the job its ranks share"),
    ({"RANK": "0", "WORLD_SIZE": "2", "TRAIL_RUN_GROUP": "g", "TRAIL_RANK_TIMEOUT": "-1"},
     "TRAIL_RANK_TIMEOUT=-1: expected seconds"),
])
def test_bad_rank_variables_are_refused_before_anything_is_written(project, env, message):
    p = trail("run", "--", "true", cwd=project, env=env_with(**env), check=False)
    assert p.returncode != 0
    assert message in p.stderr and len(p.stderr.strip().splitlines()) == 1, p.stderr
    assert ls_ids(project) == []
    assert not (project / ".trail" / "groups").exists()


def test_explicit_group_wins_over_the_launchers_key(project, scripts_dir):
    port = free_port()
    envs = [torch_env(r, 2, port, TORCHELASTIC_RUN_ID="abc") for r in range(2)]
    outs = finish(start_ranks(project, scripts_dir / "rank.py", envs, args=("--group", "exp-7")))
    assert [o[0] for o in outs] == [0, 0], outs
    assert the_run(project)["ranks"]["group"] == "exp-7"
    envs = [torch_env(r, 2, port, TORCHELASTIC_RUN_ID="abc") for r in range(2)]
    finish(start_ranks(project, scripts_dir / "rank.py", envs))
    assert record(project, "p-2")["ranks"]["launcher"] == "torchrun"
    assert record(project, "p-2")["ranks"]["group"] == "torchrun:abc"


def test_python_client_ranks_without_trail_run_record_one_run(project, scripts_dir):
    if not list((CLIENT / "trail").glob("_trail*.so")):
        pytest.skip("the Python client is not built (ninja _trail)")
    port = free_port()
    procs = [subprocess.Popen([PYTHON, str(scripts_dir / "client.py")], cwd=project, stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True,
                              env=torch_env(r, 3, port, PYTHONPATH=str(CLIENT), FAIL_RANK="1"))
             for r in (1, 2, 0)]
    outs = [p.communicate(timeout=60) for p in procs]
    assert [p.returncode for p in procs] == [2, 0, 0], outs
    for out, _ in outs:
        assert "logs to p-1" in out
    rec = the_run(project)
    lasts = {k: v["last"] for k, v in rec["metrics"]["summary"].items() if not k.startswith("system/")}
    assert lasts == {"loss": 2, "rank1/loss": 12, "rank2/loss": 22}
    assert rec["params"] == {"lr": 0.1}
    assert rec["ranks"]["status"] == ["finished", "failed", "finished"]
    assert rec["ranks"]["failed"] == "rank 1 exited with code 1"
    assert rec["status"] == "failed"

"""trail sweep: every trial is a recorded run; grid/random/bayes; stopping; resume; bad specs."""
import json
import os
import signal
import time
from pathlib import Path

import yaml

from conftest import PYTHON, branch_commits, branch_file, ls_json, record, trail, trail_popen, wait_for, write_script

# A training script: val_loss per epoch from the params it is given on its command line, and the
# values it saw in its environment, so the test can check what reached the program.
TRAIN = r"""
import argparse, json, os, sys, time
p = argparse.ArgumentParser()
p.add_argument("--lr", type=float, default=0.1)
p.add_argument("--layers", type=int, default=1)
p.add_argument("--reg", default="l2")
p.add_argument("--epochs", type=int, default=4)
p.add_argument("--sleep", type=float, default=0.0)
a = p.parse_args()
with open(os.environ["TRAIL_METRICS"], "a", buffering=1) as f:
    for e in range(a.epochs):
        base = (a.lr - 0.3) ** 2 + 0.01 * a.layers + (0.1 if a.reg == "l1" else 0.0)
        f.write(json.dumps({"epoch": e, "val_loss": base + 1.0 / (e + 1),
                            "env_lr": float(os.environ["TRAIL_PARAM_LR"])}) + "\n")
        time.sleep(a.sleep)
"""


def sweep_record(repo, sweep_id):
    return yaml.safe_load(branch_file(repo, f"sweeps/{sweep_id}/sweep.yaml"))


def write_spec(repo, text, name="sweep.yaml"):
    path = Path(repo).parent / name
    path.write_text(text)
    return path


def test_grid_runs_every_combination_in_a_stable_order(project, scripts):
    script = write_script(scripts, "train.py", TRAIN)
    spec = write_spec(project, f"""
command: {PYTHON} {script} --lr {{lr}} --reg {{reg}}
objective: {{metric: val_loss, goal: minimize}}
strategy: grid
space:
  lr: {{start: 0.1, end: 0.3, step: 0.1}}
  reg: {{choice: [l1, l2]}}
""")
    proc = trail("sweep", spec, "--quiet", cwd=project)
    assert "Sweep p-sweep-1  finished" in proc.stdout
    trials = ls_json(project, "--where", "attributes.parent = 'p-sweep-1'", "--sort", "attributes.started")
    assert len(trials) == 6
    seen = sorted((t["params"]["lr"], t["params"]["reg"]) for t in trials)
    assert seen == [(0.1, "l1"), (0.1, "l2"), (0.2, "l1"), (0.2, "l2"), (0.3, "l1"), (0.3, "l2")]
    rec = record(project, "p-1")
    assert rec["parent"] == "p-sweep-1"
    assert rec["hyperparameters"]["strategy"] == "grid"
    assert rec["hyperparameters"]["space"]["reg"]["choice"] == ["l1", "l2"]
    # The value reached the program three ways: template (argv), -p params, environment.
    for t in trials:
        r = record(project, t["id"])
        assert r["metrics"]["summary"]["env_lr"]["last"] == r["params"]["lr"]
        assert f"--lr" in r["command"] and str(r["params"]["lr"]) in r["command"]
    s = sweep_record(project, "p-sweep-1")
    assert s["status"] == "finished"
    assert len(s["trials"]) == 6
    assert s["best"]["params"] == {"lr": 0.3, "reg": "l2"}
    show = trail("sweep", "show", "p-sweep-1", cwd=project).stdout
    assert "Best: " + s["best"]["id"] in show
    lines = [l for l in show.splitlines() if l.strip().startswith("1 ")]
    assert s["best"]["id"] in lines[0]
    # --format json (issue 19): the sweep record as one document; ls: all of them; --check: the plan.
    shown = json.loads(trail("sweep", "show", "p-sweep-1", "--format", "json", cwd=project).stdout)
    assert shown["id"] == "p-sweep-1" and shown["best"] == s["best"] and len(shown["trials"]) == 6
    listed = json.loads(trail("sweep", "ls", "--format", "json", cwd=project).stdout)
    assert [x["id"] for x in listed] == ["p-sweep-1"]
    plan = json.loads(trail("sweep", spec, "--check", "--format", "json", cwd=project).stdout)
    assert plan["strategy"] == "grid" and plan["trials"] == 6 and sorted(plan["dims"]) == ["lr", "reg"]
    bad = trail("sweep", "show", "p-sweep-9", "--format", "json", cwd=project, check=False)
    assert bad.returncode == 1 and bad.stdout == "" and len(bad.stderr.strip().splitlines()) == 1


def test_random_is_reproducible_from_the_seed(project, scripts):
    script = write_script(scripts, "train.py", TRAIN)
    text = f"""
command: {PYTHON} {script} --lr {{lr}} --layers {{layers}}
objective: val_loss
strategy: random
budget: {{trials: 4, parallel: 2}}
seed: 11
space:
  lr: {{start: 0.001, end: 3.0, scale: log}}
  layers: {{start: 1, end: 100, step: 10, type: int}}
"""
    spec = write_spec(project, text)
    trail("sweep", spec, "-q", cwd=project)
    trail("sweep", spec, "-q", cwd=project)
    a = sorted(json.dumps(t["params"]) for t in sweep_record(project, "p-sweep-1")["trials"])
    b = sorted(json.dumps(t["params"]) for t in sweep_record(project, "p-sweep-2")["trials"])
    assert a == b
    for t in sweep_record(project, "p-sweep-1")["trials"]:
        assert 0.001 <= t["params"]["lr"] <= 3.0
        assert t["params"]["layers"] in range(1, 100, 10)


def test_bayes_finds_a_good_region_and_records_everything(project, scripts):
    script = write_script(scripts, "train.py", TRAIN)
    spec = write_spec(project, f"""
command: {PYTHON} {script} --lr {{lr}} --reg {{reg}} --epochs 2
objective: {{metric: val_loss, summary: min, goal: minimize}}
strategy: bayes
budget: {{trials: 12, parallel: 2}}
seed: 3
space:
  lr: {{start: 0.0, end: 1.0}}
  reg: {{choice: [l1, l2]}}
""")
    trail("sweep", spec, "-q", cwd=project, timeout=300)
    s = sweep_record(project, "p-sweep-1")
    assert len(s["trials"]) == 12
    # The optimum is lr=0.3, reg=l2 with val_loss 0.5 at the last epoch.
    assert s["best"]["params"]["reg"] == "l2"
    assert abs(s["best"]["params"]["lr"] - 0.3) < 0.15
    assert s["best"]["value"] < 0.53
    # Parallel proposals differ.
    params = [json.dumps(t["params"], sort_keys=True) for t in s["trials"]]
    assert len(set(params)) == len(params)


def test_median_pruning_and_patience_record_pruned_trials_with_their_metrics(project, scripts):
    script = write_script(scripts, "train.py", r"""
import json, os, sys, time
bad = float(sys.argv[1])
with open(os.environ["TRAIL_METRICS"], "a", buffering=1) as f:
    for e in range(40):
        f.write(json.dumps({"epoch": e, "val_loss": bad + 1.0 / (e + 1)}) + "\n")
        time.sleep(0.05)
""")
    spec = write_spec(project, f"""
command: {PYTHON} {script} {{bad}}
objective: val_loss
strategy: grid
budget: {{parallel: 1}}
space:
  bad: {{choice: [0.0, 0.1, 0.2, 5.0]}}
prune: {{rule: median, after_steps: 3, min_trials: 3}}
""")
    trail("sweep", spec, "-q", cwd=project, timeout=300)
    s = sweep_record(project, "p-sweep-1")
    statuses = {t["params"]["bad"]: t["status"] for t in s["trials"]}
    assert statuses[0.0] == statuses[0.1] == statuses[0.2] == "finished"
    assert statuses[5.0] == "pruned"
    pruned = next(t for t in s["trials"] if t["status"] == "pruned")
    rec = record(project, pruned["id"])
    assert rec["status"] == "pruned"
    assert "worse than the median" in rec["pruned"]
    count = rec["metrics"]["summary"]["val_loss"]["count"]
    assert 4 <= count < 40

    # Patience: a loss that stops improving after epoch 2.
    flat = write_script(scripts, "flat.py", r"""
import json, os, sys, time
with open(os.environ["TRAIL_METRICS"], "a", buffering=1) as f:
    for e in range(200):
        f.write(json.dumps({"epoch": e, "val_loss": max(0.5, 1.0 - 0.2 * e) + float(sys.argv[1])}) + "\n")
        time.sleep(0.02)
""")
    spec2 = write_spec(project, f"""
command: {PYTHON} {flat} {{x}}
objective: val_loss
strategy: grid
space: {{x: {{choice: [0.0]}}}}
early_stop: {{metric: val_loss, patience: 5}}
""", name="s2.yaml")
    trail("sweep", spec2, "-q", cwd=project, timeout=120)
    t = sweep_record(project, "p-sweep-2")["trials"][0]
    assert t["status"] == "pruned"
    rec = record(project, t["id"])
    assert rec["pruned"].startswith("early stop: val_loss did not improve on 0.5")
    assert rec["metrics"]["summary"]["val_loss"]["count"] < 60


def test_resume_after_kill_does_not_rerun_finished_trials(project, scripts):
    script = write_script(scripts, "train.py", TRAIN)
    spec = write_spec(project, f"""
command: {PYTHON} {script} --lr {{lr}} --epochs 3 --sleep 0.15
objective: val_loss
strategy: grid
space:
  lr: {{start: 0.1, end: 0.6, step: 0.1}}
""")
    proc = trail_popen("sweep", spec, "-q", cwd=project)
    # Kill the driver once two trials are on the branch.
    wait_for(lambda: len(ls_json(project, "--where", "attributes.parent = 'p-sweep-1'")) >= 2, timeout=60,
             what="two trials")
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    time.sleep(1.5)  # the running trial (its own process) finishes and records itself
    before = {t["id"]: t["params"]["lr"] for t in ls_json(project, "--where", "attributes.parent = 'p-sweep-1'")
              if t["status"] == "finished"}
    assert len(before) >= 2
    out = trail("sweep", "resume", "p-sweep-1", "-q", cwd=project, timeout=120)
    assert "finished" in out.stdout
    trials = ls_json(project, "--where", "attributes.parent = 'p-sweep-1'")
    finished = [t for t in trials if t["status"] == "finished"]
    lrs = sorted(t["params"]["lr"] for t in finished)
    assert lrs == [0.1, 0.2, 0.3, 0.4, 0.5, 0.6]  # each grid point exactly once
    s = sweep_record(project, "p-sweep-1")
    assert s["status"] == "finished"
    assert len(s["trials"]) == 6


def test_bad_specs_fail_before_any_trial(project, scripts):
    script = write_script(scripts, "train.py", TRAIN)
    cases = {
        "placeholder": (f"command: {PYTHON} {script} --lr {{lr2}}\nobjective: val_loss\nspace: {{lr: {{start: 0.1, end: 1}}}}\n",
                        "command: placeholder {lr2} has no entry in space"),
        "inverted": (f"command: {PYTHON} {script} --lr {{lr}}\nobjective: val_loss\nspace: {{lr: {{start: 1, end: 0.1}}}}\n",
                     "space.lr:"),
        "log": (f"command: {PYTHON} {script} --lr {{lr}}\nobjective: val_loss\nspace: {{lr: {{start: 0, end: 1, scale: log}}}}\n",
                "space.lr:"),
        "step": (f"command: {PYTHON} {script} --lr {{lr}}\nobjective: val_loss\nspace: {{lr: {{start: 0, end: 1, step: 2}}}}\n",
                 "space.lr:"),
        "strategy": (f"command: {PYTHON} {script} --lr {{lr}}\nobjective: val_loss\nstrategy: annealing\n"
                     "space: {lr: {start: 0, end: 1}}\n", "unknown strategy 'annealing'"),
        "yaml": ("command: [unclosed\n", "sweep.yaml"),
    }
    for name, (text, message) in cases.items():
        spec = write_spec(project, text)
        proc = trail("sweep", spec, cwd=project, check=False)
        assert proc.returncode == 1, name
        assert message in proc.stderr, (name, proc.stderr)
        assert len(proc.stderr.strip().splitlines()) == 1, proc.stderr
    assert branch_commits(project) == []
    missing = trail("sweep", "nope.yaml", cwd=project, check=False)
    assert missing.returncode == 1 and "nope.yaml" in missing.stderr
    unknown = trail("sweep", "show", "p-sweep-9", cwd=project, check=False)
    assert unknown.returncode == 1 and "no sweep p-sweep-9" in unknown.stderr


def test_objective_never_reported_warns_and_stops(project, scripts):
    script = write_script(scripts, "train.py", TRAIN)
    spec = write_spec(project, f"""
command: {PYTHON} {script} --lr {{lr}}
objective: accuracy
budget: {{trials: 5}}
space: {{lr: {{start: 0.1, end: 1}}}}
""")
    proc = trail("sweep", spec, "-q", cwd=project, check=False)
    assert proc.returncode == 1
    assert "objective metric accuracy was never reported" in proc.stderr
    s = sweep_record(project, "p-sweep-1")
    assert s["status"] == "stopped"
    assert len(s["trials"]) == 1

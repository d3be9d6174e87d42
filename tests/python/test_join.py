"""Under `trail run`: trail.active_run() joins the run trail records; trail run finalizes it."""
from conftest import PYTHON, branch_commits, functions, python, record, series, trail, write

JOINED = """
import os, sys, trail
run = trail.active_run()
print("JOINED", run.id, run.joined, run.id == os.environ["TRAIL_RUN_ID"])
assert trail.active_run() is run
trail.log_params({"lr": 0.05, "layers": 2})
trail.set_tags({"team": "fraud"})
trail.log_function("activation", "ReLU")
for step in range(100):
    trail.log_metric("loss", 1.0 / (step + 1), step=step)
trail.log_metrics({"val_loss": 0.4, "val_acc": 0.9}, step=99)
with open("weights.pt", "wb") as f:
    f.write(b"x" * 10)
trail.log_artifact("weights.pt")
sys.exit(int(sys.argv[1]) if len(sys.argv) > 1 else 0)
"""


def test_active_run_joins_trail_run(project):
    script = write(project, "train.py", JOINED)
    proc = trail("run", "-p", "from_cli=1", "--", PYTHON, script, cwd=project)
    assert "JOINED p-1 True True" in proc.stdout
    rec = record(project, "p-1")
    assert rec["status"] == "finished"
    assert rec["params"]["lr"] == 0.05 and rec["params"]["layers"] == 2 and rec["params"]["from_cli"] == 1
    assert rec["tags"] == {"team": "fraud"}
    assert ("activation", "ReLU") in functions(rec)
    assert rec["metrics"]["summary"]["loss"]["count"] == 100
    assert series(project, "p-1", "val_acc") == [(99, 0.9)]
    assert [a["path"] for a in rec["artifacts"]] == ["weights.pt"]
    assert len(branch_commits(project)) == 1


def test_joined_run_failing_is_recorded_by_trail_run(project):
    script = write(project, "train.py", JOINED)
    proc = trail("run", "--", PYTHON, script, "2", cwd=project, check=False)
    assert proc.returncode == 2
    rec = record(project, "p-1")
    assert rec["status"] == "failed" and rec["exit_code"] == 2
    assert rec["metrics"]["summary"]["loss"]["count"] == 100  # flushed at exit


def test_active_run_standalone_is_none(project):
    script = write(project, "probe.py", "import trail\nprint('RUN', trail.active_run())\n")
    assert "RUN None" in python(script, cwd=project).stdout
    assert branch_commits(project) == []

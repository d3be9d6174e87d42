"""trail.start_run standalone: the same record `trail run` makes, ended by `with`, end_run or exit."""
import hashlib
import subprocess

from conftest import PYTHON, branch_commits, git, python, record, series, trail, write

FULL_RUN = """
import trail
with trail.start_run(name="first", params={"lr": 0.01, "epochs": 3, "deep": True, "opt": "adam"},
                     tags={"stage": "dev"}) as run:
    print("RUN", run.id, run.info.run_id)
    for epoch in range(3):
        trail.log_metric("loss", 1.0 / (epoch + 1), step=epoch)
        trail.log_metrics({"val_loss": 2.0 / (epoch + 1), "acc": epoch / 3}, step=epoch)
    trail.log_metric("lr_plain", 0.5)
    trail.log_metric("lr_plain", 0.25)
    trail.log_param("batch", 32)
    trail.log_params({"wd": 1e-4})
    trail.set_tag("owner", "ann")
    trail.set_tags({"seed": 7})
    trail.log_function("optimizer", "Adam")
    with open("model.bin", "wb") as f:
        f.write(b"weights")
    trail.log_artifact("model.bin")
print("STATUS", run.info.status, run.record["status"], run.record["id"])
"""


def test_start_run_records_what_trail_run_records(project):
    script = write(project, "train.py", FULL_RUN)
    out = python(script, cwd=project).stdout
    assert "RUN p-1 p-1" in out
    assert "STATUS FINISHED finished p-1" in out
    rec = record(project, "p-1")
    assert rec["status"] == "finished" and rec["exit_code"] == 0
    assert rec["name"] == "first"
    assert rec["command"] == [PYTHON, str(script)]
    # code: branch, HEAD and a snapshot commit with its ref
    code = rec["code"]
    assert code["branch"] == "main" and code["dirty"] is False
    assert code["commit"] == git("rev-parse", "HEAD", cwd=project)
    assert git("cat-file", "-t", code["snapshot"], cwd=project) == "commit"
    assert git("rev-parse", "refs/trail/code/p-1", cwd=project) == code["snapshot"]
    assert "train.py" in git("ls-tree", "--name-only", code["snapshot"], cwd=project).splitlines()
    # environment: the full context, Python included
    env = rec["environment"]
    assert env["os"] == "Linux" and env["cpu"]["threads"] >= 1
    assert env["python"]["version"].startswith("3.")
    assert "trail" in env
    # params (typed), tags (text), metrics with steps
    assert rec["params"] == {"lr": 0.01, "epochs": 3, "deep": True, "opt": "adam", "batch": 32, "wd": 1e-4}
    assert rec["tags"] == {"stage": "dev", "owner": "ann", "seed": "7"}
    summary = rec["metrics"]["summary"]
    assert summary["loss"]["count"] == 3 and summary["loss"]["last_step"] == 2 and summary["loss"]["min"] == 1 / 3
    assert series(project, "p-1", "val_loss") == [(0, 2.0), (1, 1.0), (2, 2 / 3)]
    assert series(project, "p-1", "lr_plain") == [(0, 0.5), (1, 0.25)]  # no step: the metric's own count
    assert ("optimizer", "Adam") in {(f["category"], f["name"]) for f in rec["functions"]}
    [artifact] = rec["artifacts"]
    assert artifact["path"] == "model.bin" and artifact["size"] == 7
    assert artifact["oid"] == "sha256:" + hashlib.sha256(open(project / "model.bin", "rb").read()).hexdigest()
    # one commit, and the run shows up in trail ls
    assert sum("p-1" in c for c in branch_commits(project)) == 1
    assert "p-1" in trail("ls", cwd=project).stdout


def test_exception_in_with_block_fails_the_run_and_propagates(project):
    script = write(project, "boom.py", """
import trail
with trail.start_run():
    trail.log_metric("loss", 1.0, step=0)
    raise RuntimeError("diverged")
""")
    proc = python(script, cwd=project, check=False)
    assert proc.returncode == 1
    assert "RuntimeError: diverged" in proc.stderr
    rec = record(project, "p-1")
    assert rec["status"] == "failed"
    assert rec["metrics"]["summary"]["loss"]["count"] == 1


def test_sys_exit_nonzero_in_with_block_fails_the_run(project):
    script = write(project, "quit.py", "import sys, trail\nwith trail.start_run():\n    sys.exit(3)\n")
    assert python(script, cwd=project, check=False).returncode == 3
    assert record(project, "p-1")["status"] == "failed"


def test_run_without_with_ends_at_exit(project):
    script = write(project, "plain.py", """
import trail
trail.start_run(params={"k": 1})
for i in range(5):
    trail.log_metric("loss", float(i), step=i)
""")
    python(script, cwd=project)
    rec = record(project, "p-1")
    assert rec["status"] == "finished" and rec["params"] == {"k": 1}
    assert rec["metrics"]["summary"]["loss"]["count"] == 5


def test_uncaught_exception_without_with_fails_the_run(project):
    script = write(project, "crash.py", """
import trail
trail.start_run()
trail.log_metric("loss", 1.0)
raise ValueError("bad batch")
""")
    proc = python(script, cwd=project, check=False)
    assert proc.returncode == 1 and "ValueError: bad batch" in proc.stderr
    assert record(project, "p-1")["status"] == "failed"


def test_keyboard_interrupt_marks_the_run_killed(project):
    script = write(project, "interrupted.py", "import trail\nwith trail.start_run():\n    raise KeyboardInterrupt\n")
    python(script, cwd=project, check=False)
    assert record(project, "p-1")["status"] == "killed"


def test_logging_without_start_run_starts_a_run_as_mlflow_does(project):
    script = write(project, "auto.py", """
import trail
assert trail.active_run() is None
trail.log_param("lr", 0.1)
trail.log_metric("loss", 0.5, step=1)
print("ACTIVE", trail.active_run().id)
""")
    assert "ACTIVE p-1" in python(script, cwd=project).stdout
    rec = record(project, "p-1")
    assert rec["status"] == "finished" and rec["params"] == {"lr": 0.1}


def test_end_run_then_a_second_run(project):
    script = write(project, "two.py", """
import trail
first = trail.start_run(name="a")
trail.log_metric("loss", 1.0)
rec = trail.end_run()
assert rec["status"] == "finished" and trail.active_run() is None
assert trail.end_run() is None  # no run: no-op
with trail.start_run(run_name="b") as second:  # MLflow's spelling of name
    trail.log_metric("loss", 2.0)
trail.end_run("FAILED")  # already ended by the with block: no-op
print(first.id, second.id)
""")
    assert python(script, cwd=project).stdout.split() == ["p-1", "p-2"]
    assert record(project, "p-1")["name"] == "a" and record(project, "p-2")["name"] == "b"
    assert record(project, "p-2")["status"] == "finished"


def test_end_run_explicit_status(project):
    script = write(project, "status.py", "import trail\ntrail.start_run()\ntrail.end_run('killed')\n")
    python(script, cwd=project)
    assert record(project, "p-1")["status"] == "killed"


def test_second_start_run_is_refused(project):
    script = write(project, "nested.py", """
import trail
with trail.start_run():
    try:
        trail.start_run()
    except trail.TrailError as e:
        print("ERR", e)
""")
    out = python(script, cwd=project).stdout
    assert "ERR run p-1 is already active in this process; end it first (trail.end_run())" in out


def test_outside_a_project_is_a_clear_trail_error(tmp_path):
    script = tmp_path / "train.py"
    script.write_text("""
import trail
try:
    trail.start_run()
except trail.TrailError as e:
    print("ERR", e)
""")
    out = python(script, cwd=tmp_path).stdout
    assert out.startswith("ERR start_run: ")
    assert len(out.strip().splitlines()) == 1


def test_start_run_under_trail_run_joins_it(project):
    script = write(project, "joined.py", """
import os, trail
with trail.start_run(name="ignored", params={"lr": 0.3}, tags={"who": "script"}) as run:
    assert run.joined and run.id == os.environ["TRAIL_RUN_ID"]
    trail.log_metric("loss", 0.25, step=4)
print("STILL", trail.active_run().id)  # trail run goes on recording after the block
""")
    proc = trail("run", "--name", "outer", "--", PYTHON, script, cwd=project)
    assert "STILL p-1" in proc.stdout
    rec = record(project, "p-1")
    assert rec["name"] == "outer" and rec["status"] == "finished"
    assert rec["params"]["lr"] == 0.3 and rec["tags"]["who"] == "script"
    assert rec["metrics"]["summary"]["loss"]["last_step"] == 4
    assert sum("p-1" in c for c in branch_commits(project)) == 1


CHILD = """
import trail
trail.log_metric("child_loss", 0.5, step=1)
trail.set_tag("worker", "child")
"""

PARENT = """
import subprocess, sys, os, trail
with trail.start_run() as run:
    trail.log_metric("parent_loss", 1.0, step=0)
    subprocess.run([sys.executable, sys.argv[1]], check=True)
print("AFTER", os.environ.get("TRAIL_RUN_ID"))
"""


def test_a_program_started_by_a_standalone_run_joins_it(project):
    child = write(project, "child.py", CHILD)
    parent = write(project, "parent.py", PARENT)
    out = python(parent, child, cwd=project).stdout
    assert "AFTER None" in out  # the variables are taken back when the run ends
    rec = record(project, "p-1")
    assert rec["status"] == "finished"
    assert rec["metrics"]["summary"]["child_loss"]["last"] == 0.5
    assert rec["metrics"]["summary"]["parent_loss"]["last"] == 1.0
    assert rec["tags"]["worker"] == "child"
    assert len(branch_commits(project)) == 1  # one run, not two


def test_sys_exit_outside_a_with_block_sets_the_status(project):
    for code, status in (("1", "failed"), ("0", "finished"), ("'bad input'", "failed")):
        script = write(project, "exits.py", f"""
import sys, trail
trail.start_run()
trail.log_metric("loss", 1.0)
sys.exit({code})
""")
        python(script, cwd=project, check=False)
    statuses = [record(project, f"p-{n}")["status"] for n in (1, 2, 3)]
    assert statuses == ["failed", "finished", "failed"]

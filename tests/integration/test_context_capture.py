"""Context capture: Table 1 functions and packages from the sources, `context:` include/exclude and
custom fields, and the `trail context` dry run."""
import json

import yaml

from conftest import PYTHON, branch_commits, git, record, trail


TRAIN = """
import numpy as np
import yaml as pyyaml
from sklearn.linear_model import LogisticRegression as LR, SGDRegressor
from models import build  # the project's own module

# optimizer='adam' in a comment never counts
clf = LR(penalty='l1', solver='liblinear')
reg = SGDRegressor(loss='huber')
print("trained", build())
"""

MODELS = """
from sklearn.neural_network import MLPClassifier

def build():
    return MLPClassifier(activation='tanh', solver='adam', alpha=0.0)
"""


def add_program(repo):
    (repo / "train.py").write_text(TRAIN)
    (repo / "models.py").write_text(MODELS)
    git("add", "train.py", "models.py", cwd=repo)
    git("commit", "-q", "-m", "training code", cwd=repo)


def findings(rec):
    return [(f["category"], f["name"]) for f in rec["functions"]]


def test_functions_and_packages_found_in_the_program_and_its_modules(project):
    add_program(project)
    trail("run", "--", PYTHON, "train.py", cwd=project)
    rec = record(project, "p-1")
    assert findings(rec) == [
        ("classification loss", "Cross entropy / negative log likelihood"),
        ("regularization", "L1"),
        ("optimizer", "Coordinate descent (liblinear)"),
        ("optimizer", "Stochastic gradient descent"),
        ("regularization", "L2"),  # SGDRegressor's default penalty
        ("regression loss", "Huber"),
        ("activation", "Tanh"),
        ("optimizer", "Adam"),
    ]
    huber = next(f for f in rec["functions"] if f["name"] == "Huber")
    assert huber["found"] == ["loss='huber'"] and huber["at"] == ["train.py:9"]
    assert next(f for f in rec["functions"] if f["name"] == "Tanh")["at"] == ["models.py:5"]
    # MLPClassifier(alpha=0.0) turns its L2 off: the only L2 is SGDRegressor's.
    assert next(f for f in rec["functions"] if f["name"] == "L2")["at"] == ["train.py:9"]
    packages = rec["environment"]["packages"]
    assert set(packages) >= {"numpy", "scikit-learn", "PyYAML"}
    assert "models" not in json.dumps(packages)  # the project's own module is not a package
    show = trail("show", "p-1", cwd=project).stdout
    assert "Functions (Table 1" in show and "Huber" in show and "loss='huber'" in show


def test_exclude_include_and_custom_fields(project, tmp_path):
    add_program(project)
    cfg = project / ".trail" / "config.yaml"
    cfg.write_text(cfg.read_text() + """
context:
  exclude: [environment.processors, functions, code.snapshot]
  custom:
    dataset: {value: v3}
    home_set: {env: HOME}
    missing: {env: TRAIL_TEST_SURELY_UNSET}
    head: {command: "git rev-parse --short HEAD"}
    slow: {command: "sleep 10", timeout: 0.3}
""")
    git("commit", "-q", "-am", "config", cwd=project)
    proc = trail("run", "--", PYTHON, "train.py", cwd=project)
    rec = record(project, "p-1")
    assert "processors" not in rec["environment"]
    assert "functions" not in rec
    assert "snapshot" not in rec["code"] and "ref" not in rec["code"]
    assert git("for-each-ref", "refs/trail/code", cwd=project) == ""
    ctx = rec["context"]
    assert ctx["dataset"] == "v3"
    assert ctx["head"] == git("rev-parse", "--short", "HEAD", cwd=project)
    assert ctx["missing"] == {"error": "environment variable TRAIL_TEST_SURELY_UNSET is not set"}
    assert ctx["slow"] == {"error": "command 'sleep 10' timed out after 0.3 s"}
    assert rec["status"] == "finished"
    assert "context.slow: command 'sleep 10' timed out" in proc.stderr
    assert "Custom context" in trail("show", "p-1", cwd=project).stdout

    cfg.write_text(cfg.read_text().replace("exclude: [environment.processors, functions, code.snapshot]",
                                           "include: [environment.python, code.branch]"))
    trail("run", "--", PYTHON, "train.py", cwd=project)
    rec = record(project, "p-2")
    assert set(rec["environment"]) == {"python"}
    assert set(rec["code"]) == {"branch"}
    assert "user" not in rec and "host" not in rec
    assert rec["id"] == "p-2" and rec["status"] == "finished"


def test_trail_context_is_a_dry_run(project):
    add_program(project)
    (project / "train.py").write_text(TRAIN + "\n# an uncommitted edit\n")
    before_refs = git("for-each-ref", cwd=project)
    before_objects = git("count-objects", "-v", cwd=project)
    out = trail("context", "--", PYTHON, "train.py", cwd=project).stdout
    ctx = yaml.safe_load(out)
    assert ctx["code"]["dirty"] is True and ctx["code"]["changed"] == ["train.py"]
    assert "snapshot" not in ctx["code"]
    assert ctx["environment"]["python"]["version"].startswith("3.")
    assert ("regression loss", "Huber") in findings(ctx)
    assert git("for-each-ref", cwd=project) == before_refs
    assert git("count-objects", "-v", cwd=project) == before_objects
    assert branch_commits(project) == []
    as_json = json.loads(trail("context", "--format", "json", "--", PYTHON, "train.py", cwd=project).stdout)
    assert as_json["environment"]["packages"] == ctx["environment"]["packages"]


def test_bad_context_config_names_the_key_and_runs_nothing(project, tmp_path):
    cfg = project / ".trail" / "config.yaml"
    cfg.write_text(cfg.read_text() + "context:\n  custom:\n    x: {value: 1, command: date}\n")
    marker = tmp_path / "ran"
    proc = trail("run", "--", "touch", marker, cwd=project, check=False)
    assert proc.returncode == 1
    assert proc.stderr.strip() == ("trail: error: .trail/config.yaml: context.custom.x: give exactly one of value, "
                                   "env or command")
    assert not marker.exists()
    assert branch_commits(project) == []
    proc = trail("context", cwd=project, check=False)
    assert proc.returncode == 1 and "context.custom.x" in proc.stderr


def test_unparsable_source_is_a_warning_not_a_failure(project):
    (project / "broken.py").write_text("def f(:\n    '''unterminated\n\x00\xff")
    trail("run", "--", PYTHON, "-c", "pass", cwd=project)  # not a script: nothing scanned
    proc = trail("run", "--", PYTHON, "broken.py", cwd=project, check=False)
    rec = record(project, "p-2")
    assert rec["status"] == "failed"  # Python itself rejects the file
    assert "environment" in rec

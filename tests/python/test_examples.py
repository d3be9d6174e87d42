"""examples/logistic: the protocol-only script and the client variant, each under trail run and
standalone. (The PyTorch example is in test_torch.py.)"""
import pytest

from conftest import HAS_SKLEARN, PYTHON, REPO_ROOT, branch_commits, functions, python, record, trail

pytestmark = pytest.mark.skipif(not HAS_SKLEARN, reason="scikit-learn is not installed (python3-sklearn)")

LOGISTIC = REPO_ROOT / "examples" / "logistic"


def check_logistic(rec, epochs):
    assert rec["status"] == "finished"
    summary = rec["metrics"]["summary"]
    for key in ("loss", "val_loss", "accuracy", "val_accuracy"):
        assert summary[key]["count"] == epochs and summary[key]["last_step"] == epochs, key
    assert summary["val_accuracy"]["last"] > 0.9
    assert summary["loss"]["last"] < summary["loss"]["max"]


def test_client_variant_standalone_and_under_trail_run(project):
    out = python(LOGISTIC / "train_client.py", "--epochs", "12", cwd=project).stdout
    assert "trail run p-1" in out
    rec = record(project, "p-1")
    check_logistic(rec, 12)
    assert rec["params"]["lr"] == 0.01 and rec["params"]["epochs"] == 12
    assert [(a["path"], a["role"]) for a in rec["artifacts"]] == [("models/logistic.joblib", "model")]

    trail("run", "--", PYTHON, LOGISTIC / "train_client.py", "--epochs", "8", "--lr", "0.05", cwd=project)
    rec = record(project, "p-2")
    check_logistic(rec, 8)
    assert rec["params"]["lr"] == 0.05
    assert ("classification loss", "Cross entropy / negative log likelihood") in functions(rec)


def test_protocol_script_under_trail_run_and_standalone(project):
    trail("run", "--", PYTHON, LOGISTIC / "train.py", "--epochs", "10", cwd=project)
    check_logistic(record(project, "p-1"), 10)
    commits = len(branch_commits(project))
    out = python(LOGISTIC / "train.py", "--epochs", "10", cwd=project).stdout
    assert "Epoch 10/10" in out
    assert len(branch_commits(project)) == commits  # no library, no run: it just prints

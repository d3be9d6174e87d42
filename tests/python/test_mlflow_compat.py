"""`import trail as mlflow`: typical MLflow tracking scripts, written after MLflow's documented
examples (the sklearn ElasticNet tutorial, a PyTorch loop, nested runs for a grid search, the
artifact helpers), run unchanged but for the import, and their runs read back with the CLI
(`trail show --format json`) as a user would."""
import json
import struct
import zlib

import pytest
import yaml

from conftest import _ENV, HAS_SKLEARN, HAS_TORCH, env_with, git, python, series, trail, write

needs_sklearn = pytest.mark.skipif(not HAS_SKLEARN, reason="scikit-learn is not installed")
needs_torch = pytest.mark.skipif(not HAS_TORCH, reason="PyTorch is not installed")


def show(repo, run_id):
    return json.loads(trail("show", run_id, "--format", "json", cwd=repo).stdout)


def ignore_outputs(repo):
    write(repo, ".gitignore", "out/\n*.joblib\n")


SKLEARN_SCRIPT = """
import sys
import joblib
import numpy as np
import trail as mlflow
from sklearn.datasets import load_diabetes
from sklearn.linear_model import ElasticNet
from sklearn.metrics import mean_absolute_error, mean_squared_error, r2_score
from sklearn.model_selection import train_test_split


def eval_metrics(actual, pred):
    rmse = np.sqrt(mean_squared_error(actual, pred))
    return rmse, mean_absolute_error(actual, pred), r2_score(actual, pred)


alpha = float(sys.argv[1]) if len(sys.argv) > 1 else 0.5
l1_ratio = float(sys.argv[2]) if len(sys.argv) > 2 else 0.5
X, y = load_diabetes(return_X_y=True)
train_x, test_x, train_y, test_y = train_test_split(X, y, random_state=42)

mlflow.set_experiment("diabetes")
with mlflow.start_run():
    lr = ElasticNet(alpha=alpha, l1_ratio=l1_ratio, random_state=42)
    lr.fit(train_x, train_y)
    rmse, mae, r2 = eval_metrics(test_y, lr.predict(test_x))
    mlflow.log_param("alpha", alpha)
    mlflow.log_param("l1_ratio", l1_ratio)
    mlflow.log_metric("rmse", rmse)
    mlflow.log_metric("r2", r2)
    mlflow.log_metric("mae", mae)
    mlflow.set_tag("model_type", "elasticnet")
    joblib.dump(lr, "out.joblib")
    mlflow.log_artifact("out.joblib", "model")
    print("RUN", mlflow.active_run().info.run_id, mlflow.active_run().info.experiment_id)
print("STATUS", mlflow.active_run())
"""


@needs_sklearn
def test_sklearn_tutorial_script(project):
    ignore_outputs(project)
    script = write(project, "train.py", SKLEARN_SCRIPT)
    out = python(script, "0.1", "0.7", cwd=project).stdout
    assert "RUN p-1 diabetes" in out and "STATUS None" in out
    rec = show(project, "p-1")
    assert rec["status"] == "finished"
    assert rec["params"]["alpha"] == 0.1 and rec["params"]["l1_ratio"] == 0.7
    assert {"rmse", "r2", "mae"} <= set(rec["metrics"]["summary"])
    assert 0 < rec["metrics"]["summary"]["r2"]["last"] < 1
    assert rec["tags"] == {"experiment": "diabetes", "model_type": "elasticnet"}
    # MLflow's artifact_path: the folder inside the run's artifacts.
    assert [(a["path"], a["role"]) for a in rec["artifacts"]] == [("model/out.joblib", "joblib")]
    trail("get", "p-1", "model/out.joblib", "-o", "restored", cwd=project)
    assert (project / "restored" / "model" / "out.joblib").read_bytes() == (project / "out.joblib").read_bytes()
    listed = trail("ls", "--where", "tags.experiment = 'diabetes'", "--format", "json", cwd=project).stdout
    assert [r["id"] for r in json.loads(listed)] == ["p-1"]


TORCH_SCRIPT = """
import os
import subprocess
import warnings
import torch
from torch import nn
import trail as mlflow

warnings.filterwarnings("ignore")
print("HOOKED", mlflow.autolog(log_models=False))
torch.manual_seed(0)
x = torch.randn(128, 8)
y = (x.sum(1, keepdim=True) > 0).float()
model = nn.Sequential(nn.Linear(8, 16), nn.ReLU(), nn.Linear(16, 1))
params = {"lr": 0.1, "epochs": 4, "batch_size": 128}
optimizer = torch.optim.SGD(model.parameters(), lr=params["lr"], momentum=0.9)
loss_fn = nn.BCEWithLogitsLoss()

with mlflow.start_run(run_name="mlp") as run:
    mlflow.log_params(params)
    for epoch in range(params["epochs"]):
        optimizer.zero_grad()
        loss = loss_fn(model(x), y)
        loss.backward()
        optimizer.step()
        with torch.no_grad():
            accuracy = ((model(x) > 0).float() == y).float().mean().item()
        mlflow.log_metrics({"loss": loss.item(), "accuracy": accuracy}, step=epoch)
    mlflow.log_metric("final_loss", loss.item(), timestamp=1700000000000)
    mlflow.log_metrics({"final_accuracy": accuracy}, step=9, timestamp=1700000001500)
    mlflow.pytorch.log_model(model, "model")
    print("RUN", run.info.run_id, run.info.run_name)
print("ENDED", run.info.status)

# The saved model, restored by the CLI, is the trained one.
subprocess.run([os.environ["TRAIL_BIN"], "get", "p-1", "-o", "restored"], check=True, capture_output=True)
state = torch.load("restored/model/data/state_dict.pth")
expected = model.state_dict()
assert state.keys() == expected.keys() and all(torch.equal(state[k], expected[k]) for k in state)
whole = torch.load("restored/model/data/model.pth")
assert isinstance(whole, nn.Sequential) and torch.equal(whole[0].weight, model[0].weight)
print("RESTORED OK")

from sklearn.datasets import load_iris
from sklearn.linear_model import LogisticRegression
X, Y = load_iris(return_X_y=True)
with mlflow.start_run(run_name="sk"):
    LogisticRegression(C=0.5, max_iter=30).fit(X, Y)
mlflow.autolog(disable=True)
with mlflow.start_run(run_name="off"):
    LogisticRegression(C=2.0, max_iter=30).fit(X, Y)
    optimizer = torch.optim.Adam(model.parameters(), lr=0.5)
    optimizer.zero_grad()
    optimizer.step()
"""


@needs_torch
@needs_sklearn
def test_torch_loop_script_with_autolog(project):
    script = write(project, "train_torch.py", TORCH_SCRIPT)
    out = python(script, cwd=project).stdout
    assert "RUN p-1 mlp" in out and "ENDED FINISHED" in out and "RESTORED OK" in out
    assert eval(out.split("HOOKED ", 1)[1].splitlines()[0])[:2] == ["sklearn", "torch"]
    rec = show(project, "p-1")
    assert rec["name"] == "mlp" and rec["status"] == "finished"
    p = rec["params"]
    assert p["lr"] == 0.1 and p["epochs"] == 4
    assert p["model"] == "Sequential"  # what log_model logged before it saved the model
    # autolog: the optimizer and the loss the loop used, with no call
    assert p["optimizer"] == "SGD" and p["optimizer.momentum"] == 0.9 and p["loss"] == "BCEWithLogitsLoss"
    assert ("optimizer", "Stochastic gradient descent") in {(f["category"], f["name"]) for f in rec["functions"]}
    summary = rec["metrics"]["summary"]
    assert summary["loss"]["count"] == 4 and summary["accuracy"]["last_step"] == 3
    # MLflow's timestamp (milliseconds) is the point's time.
    text = trail("show", "p-1", "--series", "final_loss", cwd=project).stdout.splitlines()
    assert float(text[1].split("\t")[1]) == pytest.approx(1700000000.0)
    text = trail("show", "p-1", "--series", "final_accuracy", cwd=project).stdout.splitlines()
    assert text[1].split("\t")[0] == "9" and float(text[1].split("\t")[1]) == pytest.approx(1700000001.5)
    # log_model saved the model (checked in the script): its state_dict and the whole module.
    assert sorted((a["path"], a["role"]) for a in rec["artifacts"]) == [("model/data/model.pth", "model"),
                                                                        ("model/data/state_dict.pth", "model")]
    sk = show(project, "p-2")
    assert sk["params"]["C"] == 0.5 and sk["tags"]["estimator_name"] == "LogisticRegression"
    off = show(project, "p-3")
    assert "estimator_name" not in off.get("tags", {}) and "optimizer" not in off.get("params", {})


GRID_SCRIPT = """
import itertools
import warnings
import trail as mlflow
from sklearn.datasets import load_iris
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import cross_val_score

warnings.filterwarnings("ignore")
X, y = load_iris(return_X_y=True)
grid = {"C": [0.1, 1.0], "max_iter": [200]}
with mlflow.start_run(run_name="grid-search") as parent:
    mlflow.log_param("n_candidates", 2)
    best = (-1.0, None)
    for C, max_iter in itertools.product(grid["C"], grid["max_iter"]):
        with mlflow.start_run(run_name=f"C={C}", nested=True) as child:
            score = cross_val_score(LogisticRegression(C=C, max_iter=max_iter), X, y, cv=3).mean()
            mlflow.log_params({"C": C, "max_iter": max_iter})
            mlflow.log_metric("cv_accuracy", score)
            best = max(best, (score, child.info.run_id))
        assert mlflow.active_run() is parent
    mlflow.log_metric("best_cv_accuracy", best[0])
    mlflow.set_tag("best_run", best[1])
    print("PARENT", parent.info.run_id, "BEST", best[1])
"""


@needs_sklearn
def test_nested_runs_for_a_grid_search(project):
    script = write(project, "grid.py", GRID_SCRIPT)
    out = python(script, cwd=project).stdout
    assert "PARENT p-1" in out
    parent = show(project, "p-1")
    assert parent["name"] == "grid-search" and parent["params"]["n_candidates"] == 2
    assert "parent" not in parent and "cv_accuracy" not in parent["metrics"]["summary"]
    children = [show(project, f"p-{n}") for n in range(2, 4)]
    assert [c["parent"] for c in children] == ["p-1"] * 2
    assert [(c["params"]["C"], c["params"]["max_iter"]) for c in children] == [(0.1, 200), (1.0, 200)]
    assert all(c["status"] == "finished" and "best_cv_accuracy" not in c["metrics"]["summary"] for c in children)
    scores = {c["id"]: c["metrics"]["summary"]["cv_accuracy"]["last"] for c in children}
    assert scores[parent["tags"]["best_run"]] == max(scores.values())
    assert parent["metrics"]["summary"]["best_cv_accuracy"]["last"] == max(scores.values())
    listed = json.loads(trail("ls", "--where", "parent = 'p-1'", "--format", "json", cwd=project).stdout)
    assert sorted(r["id"] for r in listed) == ["p-2", "p-3"]


ARTIFACTS_SCRIPT = """
import os
import numpy as np
import trail as mlflow

mlflow.set_tracking_uri("file:./mlruns")
os.makedirs("out/plots", exist_ok=True)
with open("out/metrics.csv", "w") as f:
    f.write("epoch,loss\\n0,1.0\\n")
with open("out/plots/curve.svg", "w") as f:
    f.write("<svg/>")
image = np.zeros((3, 5, 3), dtype=np.uint8)
image[1, 2] = (255, 128, 0)
with mlflow.start_run(tags={"stage": "draft", "team": "fraud"}, description="config and report") as run:
    mlflow.log_dict({"model": {"layers": [64, 32], "dropout": 0.1}}, "config/model.yaml")
    mlflow.log_dict({"threshold": 0.5}, "config/serving.json")
    mlflow.log_text("precision 0.91\\nrecall 0.88\\n", "reports/summary.txt")
    print("LOGGED", mlflow.log_artifacts("out", artifact_path="outputs"))
    mlflow.log_image(image, "images/sample.png")
    mlflow.log_image(np.linspace(0, 1, 8).reshape(2, 4), "images/grey.png")
    mlflow.log_artifact("out/metrics.csv", role="metrics-table")
    mlflow.delete_tag("stage")
    print("URI", mlflow.get_tracking_uri())
print("END", mlflow.end_run())
"""


def _png(data):
    """(width, height, colour type, the decompressed scanlines) of a PNG file."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    pos, header, idat = 8, None, b""
    while pos < len(data):
        length, kind = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + length]
        assert struct.unpack(">I", data[pos + 8 + length:pos + 12 + length])[0] == zlib.crc32(kind + body)
        if kind == b"IHDR":
            header = struct.unpack(">IIBBBBB", body)
        elif kind == b"IDAT":
            idat += body
        pos += 12 + length
    return header[0], header[1], header[3], zlib.decompress(idat)


def test_artifact_helpers_and_tags(project):
    script = write(project, "report.py", ARTIFACTS_SCRIPT)
    out = python(script, cwd=project).stdout
    assert "LOGGED ['outputs/metrics.csv', 'outputs/plots/curve.svg']" in out
    assert f"URI {project.resolve().as_uri()}" in out and "END None" in out
    rec = show(project, "p-1")
    assert rec["tags"] == {"team": "fraud", "description": "config and report"}
    assert [a["path"] for a in rec["artifacts"]] == [
        "config/model.yaml", "config/serving.json", "reports/summary.txt", "outputs/metrics.csv",
        "outputs/plots/curve.svg", "images/sample.png", "images/grey.png", "out/metrics.csv"]
    assert rec["artifacts"][-1]["role"] == "metrics-table"
    trail("get", "p-1", "-o", "restored", cwd=project)
    got = project / "restored"
    assert yaml.safe_load((got / "config/model.yaml").read_text()) == {"model": {"layers": [64, 32], "dropout": 0.1}}
    assert json.loads((got / "config/serving.json").read_text()) == {"threshold": 0.5}
    assert (got / "reports/summary.txt").read_text() == "precision 0.91\nrecall 0.88\n"
    assert (got / "outputs/plots/curve.svg").read_text() == "<svg/>"
    width, height, colour, rows = _png((got / "images/sample.png").read_bytes())
    assert (width, height, colour) == (5, 3, 2) and len(rows) == 3 * (1 + 5 * 3)
    assert rows[1 * 16 + 1 + 2 * 3:1 * 16 + 1 + 3 * 3] == bytes([255, 128, 0])
    width, height, colour, rows = _png((got / "images/grey.png").read_bytes())
    assert (width, height, colour) == (4, 2, 0) and rows == bytes([0, 0, 36, 73, 109, 0, 146, 182, 219, 255])
    assert git("status", "--porcelain", "--untracked-files=no", cwd=project) == ""


ERRORS_SCRIPT = """
import numpy as np
import trail as mlflow

def attempt(label, call):
    try:
        call()
        print(label, "ok")
    except Exception as e:
        print(label, type(e).__name__, e)

with open("w.bin", "wb") as f:
    f.write(b"x")
with mlflow.start_run(run_name="outer"):
    attempt("second", lambda: mlflow.start_run())
    attempt("escape", lambda: mlflow.log_artifact("w.bin", "../up"))
    attempt("gitdir", lambda: mlflow.log_text("x", ".git/hooks/pre-commit"))
    attempt("timestamp", lambda: mlflow.log_metric("m", 1.0, timestamp=-5))
    attempt("timestamp-type", lambda: mlflow.log_metric("m", 1.0, timestamp="now"))
    attempt("positional-timestamp", lambda: mlflow.log_metric("m", 1.0, 0, 1700000000000))
    attempt("image-shape", lambda: mlflow.log_image(np.zeros((2, 2, 5)), "x.png"))
    attempt("image-range", lambda: mlflow.log_image(np.full((2, 2), 2.0), "x.png"))
    attempt("image-series", lambda: mlflow.log_image(np.zeros((2, 2)), key="k", step=1))
    attempt("figure", lambda: mlflow.log_figure(object(), "f.png"))
    attempt("status", lambda: mlflow.end_run("DONE"))
    attempt("dir", lambda: mlflow.log_artifacts("no/such/dir"))
    attempt("experiment", lambda: mlflow.set_experiment(""))
    attempt("parent", lambda: mlflow.start_run(parent_run_id="p-99"))
print("ACTIVE", mlflow.active_run())
"""


def test_errors_are_clear_and_record_nothing(project):
    write(project, ".gitignore", "w.bin\n")
    script = write(project, "bad.py", ERRORS_SCRIPT)
    out = dict(line.split(" ", 1) for line in python(script, cwd=project).stdout.splitlines())
    assert out["second"].startswith("TrailError run p-1 is already active in this process")
    assert "nested=True" in out["second"]
    assert out["escape"] == 'ValueError log_artifact /' + out["escape"].split("/", 1)[1]
    assert '"../up/w.bin"' in out["escape"]
    assert out["gitdir"].startswith("ValueError") and ".git" in out["gitdir"]
    assert out["timestamp"].startswith("ValueError log_metric: timestamp -5 is not a time")
    assert out["timestamp-type"].startswith("TypeError log_metric: timestamp is str")
    assert out["positional-timestamp"].startswith("TypeError log_metric() takes from 2 to 3 positional")
    assert out["image-shape"].startswith("ValueError log_image: image has shape (2, 2, 5)")
    assert out["image-range"] == "ValueError log_image: a float image's values must be in [0, 1]"
    assert out["image-series"].startswith("ValueError log_image: trail records an image as a file")
    assert out["figure"] == "TypeError log_figure: figure is object; expected a matplotlib or plotly figure"
    assert out["status"].startswith("ValueError end_run: status is 'DONE'")
    assert out["dir"] == "FileNotFoundError log_artifacts: no folder no/such/dir"
    assert out["experiment"].startswith("ValueError set_experiment")
    assert out["parent"] == "TrailError start_run: parent_run_id p-99 is not the active run p-1"
    assert out["ACTIVE"] == "None"
    rec = show(project, "p-1")
    assert rec["status"] == "finished" and "artifacts" not in rec and "m" not in rec.get("metrics", {}).get("summary", {})
    assert trail("show", "p-2", cwd=project, check=False).returncode != 0


# A stand-in for PyTorch Lightning (not packaged for Debian) that implements only what its
# documentation promises a Callback: Trainer(callbacks=[...]), on_train_epoch_end(trainer,
# pl_module), trainer.callback_metrics and trainer.current_epoch.
LIGHTNING_STAND_IN = """
import torch

class Callback:
    pass

class Trainer:
    def __init__(self, max_epochs=1, callbacks=None):
        self.max_epochs = max_epochs
        self.callbacks = list(callbacks or [])
        assert all(isinstance(c, Callback) for c in self.callbacks)
        self.callback_metrics = {}
        self.current_epoch = 0

    def fit(self, model):
        for epoch in range(self.max_epochs):
            self.current_epoch = epoch
            self.callback_metrics = {"train_loss": torch.tensor(1.0 / (epoch + 1)), "val/acc": torch.tensor(0.5),
                                     "epoch": torch.tensor(epoch)}
            for callback in self.callbacks:
                callback.on_train_epoch_end(self, model)
"""


@needs_torch
def test_autolog_hooks_lightning_trainers(project, tmp_path):
    stand_in = tmp_path / "stand_in" / "lightning" / "pytorch"
    stand_in.mkdir(parents=True)
    (stand_in.parent / "__init__.py").write_text("")
    (stand_in / "__init__.py").write_text(LIGHTNING_STAND_IN)
    script = write(project, "pl.py", """
import torch, trail
from lightning.pytorch import Trainer
trail.torch.autolog()
with trail.start_run(run_name="pl"):
    Trainer(max_epochs=3).fit(torch.nn.Linear(2, 1))
""")
    python(script, cwd=project, env=env_with(PYTHONPATH=_ENV["PYTHONPATH"] + ":" + str(stand_in.parent.parent)))
    assert series(project, "p-1", "train_loss") == [(0, 1.0), (1, 0.5), (2, pytest.approx(1 / 3))]
    summary = show(project, "p-1")["metrics"]["summary"]
    assert summary["val/acc"]["count"] == 3 and "epoch" not in summary

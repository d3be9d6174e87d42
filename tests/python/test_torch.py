"""trail.torch on real training with PyTorch (python3-torch): what a live model and loop use, and
state_dict checkpoints as artifacts; and the example MLP, standalone and under trail run."""
import pytest

from conftest import HAS_TORCH, PYTHON, REPO_ROOT, functions, python, record, series, trail, write

pytestmark = pytest.mark.skipif(not HAS_TORCH, reason="PyTorch is not installed (python3-torch)")

HELPERS = """
import torch, trail, trail.torch
from torch import nn
import torch.nn.functional as F
from sklearn.datasets import load_breast_cancer

torch.manual_seed(0)
x, y = load_breast_cancer(return_X_y=True)
x = torch.tensor((x - x.mean(0)) / x.std(0), dtype=torch.float32)
y = torch.tensor(y, dtype=torch.float32)

class Net(nn.Module):
    # An activation the source scan cannot see: chosen by name at run time.
    def __init__(self, act):
        super().__init__()
        self.fc1, self.fc2 = nn.Linear(30, 16), nn.Linear(16, 1)
        self.act = getattr(nn, act)()
        self.drop = nn.Dropout(0.2)
    def forward(self, x):
        return self.fc2(self.drop(F.gelu(self.act(self.fc1(x))))).squeeze(1)

model = Net("Tanh")
opt = getattr(torch.optim, "SGD")(model.parameters(), lr=0.1, momentum=0.9, weight_decay=1e-4)
sched = torch.optim.lr_scheduler.StepLR(opt, step_size=2, gamma=0.5)
loss_fn = nn.BCEWithLogitsLoss()
with trail.start_run(name="torch") as run:
    logged = trail.torch.log_model(model, opt, loss_fn, example_input=x[:2])
    print("LOGGED", sorted(logged))
    for epoch in range(6):
        model.train()
        opt.zero_grad()
        loss = loss_fn(model(x), y)
        loss.backward()
        opt.step()
        trail.log_metric("loss", loss, step=epoch)   # a one-element tensor is a number
        trail.torch.log_learning_rate(opt, step=epoch)
        sched.step()
    path = trail.torch.save_checkpoint(model, "ckpt/net.pt")
    full = trail.torch.save_checkpoint(model, "ckpt/full.pt", optimizer=opt, epoch=5)
    model.eval()
    with torch.no_grad():
        print("OUT", float(model(x[:5]).sum()))
"""


def test_log_model_and_checkpoints_on_real_training(project):
    script = write(project, "net.py", HELPERS)
    out = python(script, cwd=project).stdout
    rec = record(project, "p-1")
    assert rec["status"] == "finished"
    p = rec["params"]
    assert p["model"] == "Net" and p["num_parameters"] == 30 * 16 + 16 + 16 + 1
    assert p["trainable_parameters"] == p["num_parameters"]
    assert p["optimizer"] == "SGD" and p["optimizer.lr"] == 0.1 and p["optimizer.momentum"] == 0.9
    assert p["optimizer.weight_decay"] == 1e-4 and p["loss"] == "BCEWithLogitsLoss"
    assert "optimizer.foreach" not in p
    found = functions(rec)
    assert {("optimizer", "Stochastic gradient descent"), ("regularization", "L2"),
            ("classification loss", "Cross entropy / negative log likelihood"),
            ("activation", "Tanh"),          # a module chosen at run time
            ("activation", "GELU"),          # a functional call, seen in the forward pass
            ("regularization", "Dropout")} <= found
    summary = rec["metrics"]["summary"]
    assert summary["loss"]["count"] == 6 and summary["loss"]["last"] < summary["loss"]["max"]
    assert series(project, "p-1", "lr") == [(0, 0.1), (1, 0.1), (2, 0.05), (3, 0.05), (4, 0.025), (5, 0.025)]
    # log_model saves the model as mlflow.pytorch.log_model does (here, before training).
    assert [(a["path"], a["role"]) for a in rec["artifacts"]] == [("model/data/state_dict.pth", "model"),
                                                                  ("model/data/model.pth", "model"),
                                                                  ("ckpt/net.pt", "checkpoint"),
                                                                  ("ckpt/full.pt", "checkpoint")]
    # The checkpoints are the trained model's: loading them reproduces its output.
    expected = float(out.split("OUT ")[1].split()[0])
    check = project / "check.py"
    check.write_text(HELPERS.split("model = Net")[0] + """
model = Net("Tanh")
model.load_state_dict(torch.load("ckpt/net.pt"))
model.eval()
full = torch.load("ckpt/full.pt")
assert full["epoch"] == 5 and "optimizer_state_dict" in full
with torch.no_grad():
    print(float(model(x[:5]).sum()))
""")
    assert float(python(check, cwd=project, env=None).stdout.split()[-1]) == pytest.approx(expected, abs=1e-6)


def test_helpers_refuse_wrong_objects(project):
    script = write(project, "bad.py", """
import torch, trail.torch
for call in (lambda: trail.torch.log_model("model"),
             lambda: trail.torch.log_model(torch.nn.Linear(1, 1), optimizer="adam"),
             lambda: trail.torch.save_checkpoint(3, "x.pt")):
    try:
        call()
    except TypeError as e:
        print("TypeError", e)
""")
    out = python(script, cwd=project).stdout.splitlines()
    assert out == ["TypeError log_model: model is str; expected a torch.nn.Module",
                   "TypeError log_model: optimizer is str; expected a torch.optim.Optimizer",
                   "TypeError save_checkpoint: model is int; expected a torch.nn.Module or a state_dict"]


EXAMPLE = REPO_ROOT / "examples" / "torch_mlp" / "train.py"


def check_example_record(rec, epochs):
    assert rec["status"] == "finished"
    summary = rec["metrics"]["summary"]
    for key in ("loss", "val_loss", "val_accuracy", "lr"):
        assert summary[key]["count"] == epochs and summary[key]["last_step"] == epochs
    assert summary["loss"]["last"] < summary["loss"]["max"]
    assert summary["val_accuracy"]["last"] > 0.5
    assert rec["params"]["epochs"] == epochs and rec["params"]["optimizer"] == "Adam"
    assert {("optimizer", "Adam"), ("activation", "ReLU"), ("regularization", "Dropout"),
            ("classification loss", "Cross entropy / negative log likelihood")} <= functions(rec)
    assert [a["role"] for a in rec["artifacts"]] == ["model", "model", "checkpoint"]  # log_model saves the model


def test_example_mlp_standalone_and_under_trail_run(project):
    out = python(EXAMPLE, "--epochs", "4", cwd=project).stdout
    assert "trail run p-1" in out and "epoch 4/4" in out
    check_example_record(record(project, "p-1"), 4)

    out = trail("run", "--", PYTHON, EXAMPLE, "--epochs", "3", cwd=project, timeout=300).stdout
    assert "trail run p-2" in out
    rec = record(project, "p-2")
    check_example_record(rec, 3)
    assert rec["command"][-2:] == ["--epochs", "3"]

"""trail.keras.TrailCallback.

TensorFlow cannot be installed here, so the real-Keras test runs only where `import tensorflow`
works and is skipped (saying so) elsewhere. The second test drives the callback through a stand-in
`keras` package that implements only the documented callback contract (Callback.set_model /
set_params, the on_* hooks in fit's order, model.optimizer / loss / layers / count_params / save),
so the callback's own logic is exercised on every machine.
"""
import subprocess
import textwrap

import pytest

from conftest import PYTHON, _ENV, env_with, functions, python, record, series, write

HAS_TF = subprocess.run([PYTHON, "-c", "import tensorflow"], capture_output=True, env=_ENV or None).returncode == 0

REAL_KERAS = """
import numpy as np, tensorflow as tf, trail, trail.keras
from sklearn.datasets import load_breast_cancer
x, y = load_breast_cancer(return_X_y=True)
x = (x - x.mean(0)) / x.std(0)
model = tf.keras.Sequential([
    tf.keras.layers.Input((30,)),
    tf.keras.layers.Dense(16, activation="relu", kernel_regularizer=tf.keras.regularizers.l2(1e-3)),
    tf.keras.layers.Dropout(0.1),
    tf.keras.layers.Dense(1, activation="sigmoid")])
model.compile(optimizer=tf.keras.optimizers.Adam(1e-2), loss="binary_crossentropy", metrics=["accuracy"])
with trail.start_run(name="keras"):
    model.fit(x, y, validation_split=0.2, epochs=3, verbose=0, callbacks=[trail.keras.TrailCallback()])
"""


@pytest.mark.skipif(not HAS_TF, reason="TensorFlow is not importable here (not packaged for Debian 12); "
                                        "the callback is covered by the stand-in test below")
def test_callback_with_real_keras(project):
    python(write(project, "keras_train.py", REAL_KERAS), cwd=project, timeout=600)
    rec = record(project, "p-1")
    summary = rec["metrics"]["summary"]
    for key in ("loss", "val_loss", "accuracy", "val_accuracy", "lr"):
        assert summary[key]["count"] == 3, key
    assert rec["params"]["optimizer"] == "Adam" and rec["params"]["loss"] == "binary_crossentropy"
    assert rec["params"]["num_parameters"] == 30 * 16 + 16 + 16 + 1
    assert {("optimizer", "Adam"), ("activation", "ReLU"), ("activation", "Sigmoid (logistic)"),
            ("regularization", "Dropout")} <= functions(rec)
    assert [a["role"] for a in rec["artifacts"]] == ["checkpoint"]


STAND_IN = '''
"""Only what Keras documents for callbacks: enough to drive trail.keras without TensorFlow."""
__version__ = "3.0.0"

class _Callbacks:
    class Callback:
        def __init__(self):
            self.model = None
            self.params = {}
        def set_model(self, model):
            self.model = model
        def set_params(self, params):
            self.params = params
        def on_train_begin(self, logs=None): pass
        def on_epoch_begin(self, epoch, logs=None): pass
        def on_epoch_end(self, epoch, logs=None): pass
        def on_train_end(self, logs=None): pass

callbacks = _Callbacks()

class ExponentialDecay:
    """A LearningRateSchedule: called with the iteration count."""
    def __init__(self, initial, rate):
        self.initial, self.rate = initial, rate
    def __call__(self, step):
        return self.initial * self.rate ** step

class Adam:
    def __init__(self, learning_rate):
        self.learning_rate, self.iterations = learning_rate, 0
    def get_config(self):
        return {"name": "adam", "learning_rate": 0.01, "beta_1": 0.9, "beta_2": 0.999, "amsgrad": False}

class Dense:
    def __init__(self, units, activation=None, kernel_regularizer=None):
        self.config = {"units": units, "activation": activation, "kernel_regularizer": kernel_regularizer}
    def get_config(self):
        return dict(self.config)

class Dropout:
    def __init__(self, rate):
        self.rate = rate
    def get_config(self):
        return {"rate": self.rate}

class Model:  # fit is Model's in Keras (trail.keras.autolog patches it there)
    def fit(self, epochs, callbacks=None):
        callbacks = callbacks or []
        for cb in callbacks:
            cb.set_model(self)
            cb.set_params({"epochs": epochs, "verbose": 0})
            cb.on_train_begin()
        for epoch in range(epochs):
            for cb in callbacks:
                cb.on_epoch_begin(epoch)
            self.optimizer.iterations += 10
            logs = {"loss": 1.0 / (epoch + 1), "accuracy": 0.5 + epoch / 10,
                    "val_loss": [1.2, 0.9, 1.0, 0.8][epoch], "val_accuracy": 0.4 + epoch / 10}
            for cb in callbacks:
                cb.on_epoch_end(epoch, logs)
        for cb in callbacks:
            cb.on_train_end({})

class Sequential(Model):
    def __init__(self, layers):
        self.layers = layers
    def compile(self, optimizer, loss):
        self.optimizer, self.loss = optimizer, loss
    def count_params(self):
        return 1234
    def save(self, path):
        with open(path, "w") as f:
            f.write("weights after %d steps" % self.optimizer.iterations)
'''

STAND_IN_TRAIN = """
import sys, keras, trail, trail.keras
mode = sys.argv[1]
model = keras.Sequential([
    keras.Dense(8, activation="relu", kernel_regularizer={"class_name": "L2", "config": {"l2": 0.01}}),
    keras.Dropout(0.25),
    keras.Dense(1, activation="sigmoid")])
lr = keras.ExponentialDecay(0.01, 0.5) if mode == "best" else 0.01
model.compile(optimizer=keras.Adam(learning_rate=lr), loss="binary_crossentropy")
callback = trail.keras.TrailCallback(checkpoint=None if mode == "none" else mode)
with trail.start_run(name=mode):
    model.fit(epochs=4, callbacks=[callback])
print("SAVED", callback.saved)
"""


@pytest.fixture
def stand_in(tmp_path):
    folder = tmp_path / "stand_in"
    (folder / "keras").mkdir(parents=True)
    (folder / "keras" / "__init__.py").write_text(textwrap.dedent(STAND_IN))
    return env_with(PYTHONPATH=_ENV["PYTHONPATH"] + ":" + str(folder))


def test_callback_against_keras_documented_callback_api(project, stand_in):
    script = write(project, "fit.py", STAND_IN_TRAIN)
    out = python(script, "epoch", cwd=project, env=stand_in).stdout
    rec = record(project, "p-1")
    assert rec["status"] == "finished"
    p = rec["params"]
    assert p["optimizer"] == "Adam" and p["optimizer.learning_rate"] == 0.01 and p["optimizer.beta_1"] == 0.9
    assert p["loss"] == "binary_crossentropy" and p["num_parameters"] == 1234
    assert {("optimizer", "Adam"), ("classification loss", "Cross entropy / negative log likelihood"),
            ("activation", "ReLU"), ("activation", "Sigmoid (logistic)"), ("regularization", "Dropout"),
            ("regularization", "L2")} <= functions(rec)
    summary = rec["metrics"]["summary"]
    for key in ("loss", "accuracy", "val_loss", "val_accuracy", "lr"):
        assert summary[key]["count"] == 4 and summary[key]["last_step"] == 3, key
    assert series(project, "p-1", "val_loss") == [(0, 1.2), (1, 0.9), (2, 1.0), (3, 0.8)]
    assert [a["path"] for a in rec["artifacts"]] == [f"checkpoints/p-1/epoch-00{i}.keras" for i in range(1, 5)]
    assert all(a["role"] == "checkpoint" for a in rec["artifacts"])
    assert "epoch-004.keras" in out


def test_callback_best_and_end_checkpoints_and_lr_schedule(project, stand_in):
    script = write(project, "fit.py", STAND_IN_TRAIN)
    python(script, "best", cwd=project, env=stand_in)
    rec = record(project, "p-1")
    # val_loss 1.2, 0.9, 1.0, 0.8: improved at epochs 0, 1 and 3; one file, rewritten
    assert [a["path"] for a in rec["artifacts"]] == ["checkpoints/p-1/best.keras"] * 3
    # a schedule is read at the optimizer's iteration count: 0.01 * 0.5 ** (10 * (epoch + 1))
    assert [v for _, v in series(project, "p-1", "lr")] == [0.01 * 0.5 ** (10 * e) for e in range(1, 5)]

    python(script, "end", cwd=project, env=stand_in)
    assert [a["path"] for a in record(project, "p-2")["artifacts"]] == ["checkpoints/p-2/final.keras"]
    python(script, "none", cwd=project, env=stand_in)
    assert not record(project, "p-3").get("artifacts")


def test_callback_refuses_bad_options(project, stand_in):
    script = write(project, "bad.py", """
import trail.keras
for kwargs in ({"checkpoint": "always"}, {"mode": "lowest"}):
    try:
        trail.keras.TrailCallback(**kwargs)
    except ValueError as e:
        print(e)
""")
    assert python(script, cwd=project, env=stand_in).stdout.splitlines() == [
        "TrailCallback: checkpoint is 'always'; expected 'epoch', 'best', 'end' or None",
        "TrailCallback: mode is 'lowest'; expected 'min' or 'max'"]


def test_autolog_adds_the_callback_to_fit(project, stand_in):
    script = write(project, "auto.py", """
import keras, trail
print("HOOKED", "keras" in trail.autolog())
model = keras.Sequential([keras.Dense(1, activation="sigmoid")])
model.compile(optimizer=keras.Adam(learning_rate=0.1), loss="binary_crossentropy")
with trail.start_run(name="auto"):
    model.fit(epochs=2)
trail.autolog(disable=True)
with trail.start_run(name="off"):
    model.fit(epochs=2)
""")
    assert "HOOKED True" in python(script, cwd=project, env=stand_in).stdout
    rec = record(project, "p-1")
    assert rec["params"]["optimizer"] == "Adam" and rec["metrics"]["summary"]["val_loss"]["count"] == 2
    assert [a["path"] for a in rec["artifacts"]] == ["checkpoints/p-1/final.keras"]
    off = record(project, "p-2")
    assert "optimizer" not in off.get("params", {}) and "val_loss" not in off.get("metrics", {}).get("summary", {})

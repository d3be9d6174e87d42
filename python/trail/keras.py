"""Keras: a callback that records a training run.

    import trail.keras
    model.compile(optimizer="adam", loss="binary_crossentropy", metrics=["accuracy"])
    model.fit(x, y, validation_split=0.2, epochs=20, callbacks=[trail.keras.TrailCallback()])

Written against Keras' documented callback API (keras.callbacks.Callback: self.model,
self.params, on_train_begin, on_epoch_end, on_train_end), so it works with Keras 3 and with
tf.keras. At the start of training it records, from the compiled model: the optimizer (class
and its config as params `optimizer`, `optimizer.learning_rate`, ...), the loss (`loss`), the
parameter count (`num_parameters`), and the Table 1 functions (optimizer, loss, activations,
dropout, regularizers). At the end of each epoch it logs every metric in `logs` and the
learning rate (`lr`) at step = epoch, and saves a checkpoint as an artifact (see `checkpoint`).
"""
import os

try:
    import keras as _keras
    _Callback = _keras.callbacks.Callback
except ImportError:  # Keras 2 only inside TensorFlow
    from tensorflow import keras as _keras
    _Callback = _keras.callbacks.Callback

import trail
from trail import _trail

__all__ = ["TrailCallback", "autolog"]

_CHECKPOINT_MODES = ("epoch", "best", "end", None)


def _scalar(value):
    if isinstance(value, (bool, int, float, str)):
        return value
    for convert in ("numpy", "item"):
        try:
            v = getattr(value, convert)()
            if hasattr(v, "item"):
                v = v.item()
            if isinstance(v, (bool, int, float)):
                return v
        except Exception:
            pass
    return None


def _name_of(obj):
    if isinstance(obj, str):
        return obj
    if hasattr(obj, "__name__"):
        return obj.__name__
    return type(obj).__name__


def _layers(model):
    """Every layer, nested models and wrappers included."""
    out, stack = [], list(getattr(model, "layers", []))
    while stack:
        layer = stack.pop(0)
        out.append(layer)
        stack.extend(getattr(layer, "layers", []) or [])
        inner = getattr(layer, "layer", None)  # TimeDistributed, Bidirectional
        if inner is not None:
            stack.append(inner)
    return out


class TrailCallback(_Callback):
    """Records a Keras training run to trail.

    checkpoint: "epoch" (after every epoch), "best" (when `monitor` improves), "end" (once, after
        training; the default) or None. Checkpoints are saved with model.save() under
        `checkpoint_dir/<run id>/` and recorded as artifacts with role "checkpoint".
    monitor, mode: what "best" means (default val_loss, "min"; "max" for accuracies).
    """

    def __init__(self, checkpoint="end", checkpoint_dir="checkpoints", monitor="val_loss", mode="min"):
        super().__init__()
        if checkpoint not in _CHECKPOINT_MODES:
            raise ValueError(f"TrailCallback: checkpoint is {checkpoint!r}; expected 'epoch', 'best', 'end' or None")
        if mode not in ("min", "max"):
            raise ValueError(f"TrailCallback: mode is {mode!r}; expected 'min' or 'max'")
        self.checkpoint = checkpoint
        self.checkpoint_dir = os.fspath(checkpoint_dir)
        self.monitor = monitor
        self.mode = mode
        self._best = None
        self._last_epoch = None
        self.saved = []  # paths of the checkpoints saved

    # -- what the compiled model uses ----------------------------------------------------------

    def _optimizer(self):
        return getattr(self.model, "optimizer", None)

    def _record_model(self):
        params, functions = {}, []

        def add(kinds):
            for kind in kinds:
                if kind not in functions:
                    functions.append(kind)

        optimizer = self._optimizer()
        if optimizer is not None:
            name = type(optimizer).__name__
            params["optimizer"] = name
            try:
                config = optimizer.get_config()
            except Exception:
                config = {}
            scalars = {}
            for key, value in config.items():
                v = _scalar(value)
                if v is not None and key != "name":
                    scalars[key] = v
                    params[f"optimizer.{key}"] = v
            add(_trail._functions_of(f"keras.optimizers.{name}", scalars))

        loss = getattr(self.model, "loss", None)
        losses = list(loss.values()) if isinstance(loss, dict) else list(loss) if isinstance(loss, (list, tuple)) else [loss]
        names = []
        for item in losses:
            if item is None:
                continue
            names.append(_name_of(item))
            if isinstance(item, str):
                kind = _trail._lookup_function("loss", item)
                add([kind] if kind else [])
            else:
                add(_trail._functions_of(f"keras.losses.{_name_of(item)}", {}))
        if names:
            params["loss"] = names[0] if len(names) == 1 else ", ".join(names)

        for layer in _layers(self.model):
            try:
                config = layer.get_config()
            except Exception:
                config = {}
            activation = config.get("activation")
            if activation is None and callable(getattr(layer, "activation", None)):
                activation = getattr(layer.activation, "__name__", None)
            if isinstance(activation, dict):  # Keras 3 serializes some as {"class_name": ..., "config": ...}
                activation = activation.get("config", {}).get("name") or activation.get("class_name")
            if isinstance(activation, str):
                kind = _trail._lookup_function("activation", activation)
                add([kind] if kind else [])
            numeric = {k: v for k, v in config.items() if k != "activation"}
            add(_trail._functions_of(f"keras.layers.{type(layer).__name__}", numeric))

        try:
            params["num_parameters"] = int(self.model.count_params())
        except Exception:
            pass
        trail.log_params(params)
        for category, name in functions:
            trail.log_function(category, name)

    def _learning_rate(self):
        optimizer = self._optimizer()
        if optimizer is None:
            return None
        lr = getattr(optimizer, "learning_rate", None)
        if lr is None:
            lr = getattr(optimizer, "lr", None)
        if lr is None:
            return None
        if callable(lr) and _scalar(lr) is None:  # a LearningRateSchedule
            try:
                lr = lr(optimizer.iterations)
            except Exception:
                return None
        v = _scalar(lr)
        return float(v) if isinstance(v, (int, float)) and not isinstance(v, bool) else None

    # -- checkpoints ---------------------------------------------------------------------------

    def _save(self, label):
        run = trail.active_run()
        folder = os.path.join(self.checkpoint_dir, run.id if run else "run")
        os.makedirs(folder, exist_ok=True)
        keras3 = int(str(getattr(_keras, "__version__", "2")).split(".")[0]) >= 3
        path = os.path.join(folder, f"{label}.keras" if keras3 else f"{label}.h5")
        self.model.save(path)
        trail.log_artifact(path, role="checkpoint")
        self.saved.append(path)
        return path

    def _improved(self, logs):
        value = logs.get(self.monitor)
        v = _scalar(value)
        if not isinstance(v, (int, float)):
            return False
        if self._best is None or (v < self._best if self.mode == "min" else v > self._best):
            self._best = v
            return True
        return False

    # -- Keras' callback API -------------------------------------------------------------------

    def on_train_begin(self, logs=None):
        self._best = None
        self._record_model()

    def on_epoch_end(self, epoch, logs=None):
        logs = logs or {}
        metrics = {}
        for key, value in logs.items():
            v = _scalar(value)
            if isinstance(v, (int, float)) and not isinstance(v, bool) and key not in ("step", "epoch"):
                metrics[key] = float(v)
        lr = self._learning_rate()
        if lr is not None and "lr" not in metrics and "learning_rate" not in metrics:
            metrics["lr"] = lr
        trail.log_metrics(metrics, step=epoch)
        self._last_epoch = epoch
        if self.checkpoint == "epoch":
            self._save(f"epoch-{epoch + 1:03d}")
        elif self.checkpoint == "best" and self._improved(logs):
            self._save("best")

    def on_train_end(self, logs=None):
        if self.checkpoint == "end" and self._last_epoch is not None:
            self._save("final")
        trail.flush()


_auto = {"enabled": False, "original_fit": None}


def autolog(disable=False):
    """Adds a TrailCallback() to every Model.fit() call that has none (as mlflow.keras
    autologging does); disable=True stops it. Idempotent."""
    _auto["enabled"] = not disable
    if disable or _auto["original_fit"] is not None:
        return
    original = _keras.Model.fit
    _auto["original_fit"] = original

    def fit(self, *args, **kwargs):
        if _auto["enabled"] and trail._forked_from is None:
            callbacks = list(kwargs.get("callbacks") or [])
            if not any(isinstance(c, TrailCallback) for c in callbacks):
                kwargs["callbacks"] = callbacks + [TrailCallback()]
        return original(self, *args, **kwargs)

    fit._trail_original = original
    fit.__doc__ = getattr(original, "__doc__", None)
    _keras.Model.fit = fit

"""PyTorch helpers: record what a live model and training loop use, and save checkpoints.

    import trail, trail.torch

    model, opt, loss_fn = MLP(), torch.optim.Adam(model.parameters(), lr=1e-3), nn.CrossEntropyLoss()
    trail.torch.log_model(model, opt, loss_fn, example_input=x[:1])
    for epoch in range(epochs):
        ...
        trail.log_metrics({"loss": train_loss, "val_loss": val_loss}, step=epoch)
        trail.torch.log_learning_rate(opt, step=epoch)
    trail.torch.save_checkpoint(model, "checkpoints/mlp.pt", optimizer=opt, epoch=epoch)

log_model reads the objects themselves, so it sees what the source scan cannot: an optimizer
built from a config file, an activation chosen at run time. The names are trail's Table 1
names, from the same alias table the scan uses. Like mlflow.pytorch.log_model it also saves the
model as run artifacts under `artifact_path` (default "model"). autolog() records every
optimizer and loss a training loop uses without a call.
"""
import os
import shutil
import tempfile
import warnings
import weakref

import torch

import trail
from trail import _trail

__all__ = ["log_model", "functions_of", "log_learning_rate", "save_checkpoint", "autolog"]


def _scalar(value):
    if isinstance(value, (bool, int, float, str)):
        return value
    if isinstance(value, torch.Tensor) and value.numel() == 1:
        return value.item()
    return None


# Implementation switches of torch's optimizers, not hyperparameters of the training.
_NOT_HYPERPARAMETERS = {"params", "foreach", "maximize", "capturable", "differentiable", "fused"}


def _optimizer_hyperparameters(optimizer):
    group = optimizer.param_groups[0] if optimizer.param_groups else {}
    out = {}
    for key, value in group.items():
        if key in _NOT_HYPERPARAMETERS:
            continue
        if isinstance(value, (tuple, list)) and all(_scalar(v) is not None for v in value):
            for i, v in enumerate(value):
                out[f"{key}.{i}"] = _scalar(v)
        elif _scalar(value) is not None:
            out[key] = _scalar(value)
    return out


def _torch_name(obj):
    """The dotted name the alias table knows: torch.nn.ReLU, torch.optim.Adam,
    torch.nn.functional.relu. Classes of torch itself are named by their public module."""
    cls = obj if isinstance(obj, type) else type(obj)
    if callable(obj) and not isinstance(obj, (type, torch.nn.Module)) and hasattr(obj, "__name__"):
        module = getattr(obj, "__module__", None) or "torch"
        return f"{module}.{obj.__name__}"
    module = cls.__module__ or ""
    if module.startswith("torch.nn.modules"):
        return f"torch.nn.{cls.__name__}"
    if module.startswith("torch.optim"):
        return f"torch.optim.{cls.__name__}"
    return f"{module}.{cls.__name__}"


def _functional_calls(model, example_input):
    """The torch functions a forward pass calls (F.relu, torch.sigmoid, ...), recorded with a
    TorchFunctionMode; empty where this torch has none."""
    mode_base = getattr(torch.overrides, "TorchFunctionMode", None)
    if mode_base is None or example_input is None:
        return []
    seen = []

    class _Recorder(mode_base):
        def __torch_function__(self, func, types, args=(), kwargs=None):
            name = getattr(func, "__name__", None)
            qual = getattr(func, "__qualname__", name) or ""
            if name and "." not in qual:  # methods on tensors (x.relu()) are not a choice of function
                dotted = f"{getattr(func, '__module__', None) or 'torch'}.{name}"
                if dotted not in seen:
                    seen.append(dotted)
            return func(*args, **(kwargs or {}))

    was_training = model.training
    model.eval()
    try:
        with torch.no_grad(), _Recorder():
            if isinstance(example_input, (tuple, list)):
                model(*example_input)
            else:
                model(example_input)
    finally:
        model.train(was_training)
    return seen


def functions_of(model=None, optimizer=None, loss_fn=None, example_input=None):
    """The Table 1 functions (category, name) of a model, its optimizer and its loss, without
    logging them. With `example_input`, a forward pass also finds functional activations."""
    found = []

    def add(kinds):
        for kind in kinds:
            if kind not in found:
                found.append(kind)

    if optimizer is not None:
        add(_trail._functions_of(_torch_name(optimizer), _optimizer_hyperparameters(optimizer)))
    if loss_fn is not None:
        add(_trail._functions_of(_torch_name(loss_fn), {}))
    if model is not None:
        for module in model.modules():
            if type(module).__module__.startswith("torch.nn"):
                config = {k: v for k, v in vars(module).items() if not k.startswith("_") and _scalar(v) is not None}
                add(_trail._functions_of(_torch_name(module), config))
        for dotted in _functional_calls(model, example_input):
            add(_trail._functions_of(dotted, {}))
    return found


def log_model(model, artifact_path="model", loss_fn=None, example_input=None, *, optimizer=None,
              input_example=None, save=True, pickle_module=None, **mlflow_options):
    """Records the model as mlflow.pytorch.log_model does, and what the training uses.

    Saved as run artifacts under `artifact_path` (MLflow's meaning; default "model"), with
    torch.save: `<artifact_path>/data/state_dict.pth` (model.state_dict(): load it into the
    model's class with load_state_dict) and `<artifact_path>/data/model.pth` (the whole module,
    as MLflow saves it, when it can be pickled; a warning says why when it cannot). `save=False`
    records only what follows.

    Logged: the optimizer (class and hyperparameters as params `optimizer`, `optimizer.lr`,
    ...), the loss, the activation, dropout and other modules of `model` (with `example_input`,
    MLflow's `input_example`, also the functions its forward pass calls), as Table 1 functions;
    and the parameter counts (`num_parameters`, `trainable_parameters`). trail's positional form
    log_model(model, optimizer, loss_fn, example_input) still works: an optimizer in
    artifact_path's place is taken as the optimizer. MLflow's other options (conda_env,
    signature, registered_model_name, ...) are accepted and have no effect.
    Returns the params it logged."""
    if isinstance(artifact_path, torch.optim.Optimizer) and optimizer is None:
        optimizer, artifact_path = artifact_path, "model"
    if not isinstance(model, torch.nn.Module):
        raise TypeError(f"log_model: model is {type(model).__name__}; expected a torch.nn.Module")
    if optimizer is not None and not isinstance(optimizer, torch.optim.Optimizer):
        raise TypeError(f"log_model: optimizer is {type(optimizer).__name__}; expected a torch.optim.Optimizer")
    if loss_fn is not None and not callable(loss_fn):
        raise TypeError(f"log_model: loss_fn is {type(loss_fn).__name__}; expected a loss module or function")
    if not isinstance(artifact_path, str):
        raise TypeError(f"log_model: artifact_path is {type(artifact_path).__name__}; expected str")
    if example_input is None:
        example_input = input_example
    params = {
        "model": type(model).__name__,
        "num_parameters": sum(p.numel() for p in model.parameters()),
        "trainable_parameters": sum(p.numel() for p in model.parameters() if p.requires_grad),
    }
    if optimizer is not None:
        params["optimizer"] = type(optimizer).__name__
        for key, value in _optimizer_hyperparameters(optimizer).items():
            params[f"optimizer.{key}"] = value
    if loss_fn is not None:
        params["loss"] = type(loss_fn).__name__ if isinstance(loss_fn, torch.nn.Module) else loss_fn.__name__
    trail.log_params(params)
    for category, name in functions_of(model, optimizer, loss_fn, example_input):
        trail.log_function(category, name)
    if save:
        _save_model(model, artifact_path, pickle_module)
    return params


def _save_model(model, artifact_path, pickle_module):
    folder = artifact_path.strip("/")
    tmp = tempfile.mkdtemp(prefix="trail-torch-model-")
    try:
        state = os.path.join(tmp, "state_dict.pth")
        torch.save(model.state_dict(), state)
        trail.log_artifact(state, f"{folder}/data" if folder else "data", role="model")
        whole = os.path.join(tmp, "model.pth")
        try:
            if pickle_module is None:
                torch.save(model, whole)
            else:
                torch.save(model, whole, pickle_module=pickle_module)
        except Exception as e:  # a lambda or a local class inside the module: state_dict only
            warnings.warn(f"trail.torch.log_model: the whole module cannot be pickled ({e}); "
                          f"saved its state_dict only", stacklevel=3)
        else:
            trail.log_artifact(whole, f"{folder}/data" if folder else "data", role="model")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def log_learning_rate(optimizer, step=None, key="lr"):
    """Logs the learning rate of the optimizer's first parameter group (what a scheduler set)."""
    if not isinstance(optimizer, torch.optim.Optimizer):
        raise TypeError(f"log_learning_rate: optimizer is {type(optimizer).__name__}; expected a torch.optim.Optimizer")
    lr = optimizer.param_groups[0]["lr"]
    trail.log_metric(key, float(lr), step=step)
    return float(lr)


def save_checkpoint(model, path, optimizer=None, epoch=None, role="checkpoint", **extra):
    """Saves a checkpoint with torch.save and records it as an artifact of the run.

    Without `optimizer`, `epoch` or extra entries, the file holds `model.state_dict()` (load it
    with `model.load_state_dict(torch.load(path))`); with them, PyTorch's checkpoint convention:
    a dict with `model_state_dict`, `optimizer_state_dict`, `epoch` and the extras.
    `model` may also be a state_dict already. Returns the path."""
    state = model.state_dict() if isinstance(model, torch.nn.Module) else model
    if not isinstance(state, dict):
        raise TypeError(f"save_checkpoint: model is {type(model).__name__}; expected a torch.nn.Module or a state_dict")
    if optimizer is not None or epoch is not None or extra:
        state = {"model_state_dict": state, **extra}
        if optimizer is not None:
            state["optimizer_state_dict"] = optimizer.state_dict()
        if epoch is not None:
            state["epoch"] = epoch
    path = os.fspath(path)
    folder = os.path.dirname(path)
    if folder:
        os.makedirs(folder, exist_ok=True)
    torch.save(state, path)
    trail.log_artifact(path, role=role)
    return path


# ----------------------------------------------------------------------------------------------
# autolog: the optimizer and loss of any training loop, recorded on first use.

_auto = {"enabled": False, "patched": False}
_seen = weakref.WeakSet()  # optimizers and losses already recorded


def autolog(disable=False):
    """Records, for every optimizer at its first zero_grad() or step() and every loss module at
    its first call: params `optimizer`, `optimizer.<hyperparameter>` and `loss`, and their
    Table 1 functions, as log_model would; with PyTorch Lightning installed, every Trainer's
    callback_metrics at the end of each training epoch. Idempotent; disable=True turns it off. Recording
    never breaks training: a failure is a warning."""
    _auto["enabled"] = not disable
    if disable or _auto["patched"]:
        return
    _auto["patched"] = True
    for name in ("zero_grad", "step"):
        original = torch.optim.Optimizer.__dict__.get(name)
        if original is not None:
            setattr(torch.optim.Optimizer, name, _first_use(original, _record_optimizer))
    # Every optimizer subclass defines its own step(): wrap those the optimizers module has.
    for cls in vars(torch.optim).values():
        if isinstance(cls, type) and issubclass(cls, torch.optim.Optimizer) and "step" in cls.__dict__:
            setattr(cls, "step", _first_use(cls.__dict__["step"], _record_optimizer))
    loss_base = torch.nn.modules.loss._Loss
    loss_base.__call__ = _first_use(torch.nn.Module.__call__, _record_loss)
    for name in ("lightning.pytorch", "pytorch_lightning"):
        _hook_lightning(name)


def _hook_lightning(name):
    """Where PyTorch Lightning is installed: every Trainer gets a callback (Lightning's
    documented Callback API) that logs trainer.callback_metrics at the end of each training
    epoch, at step = trainer.current_epoch."""
    import importlib
    import importlib.util
    try:
        if importlib.util.find_spec(name.split(".")[0]) is None or importlib.util.find_spec(name) is None:
            return
    except (ImportError, ValueError):
        return
    lightning = importlib.import_module(name)
    trainer = lightning.Trainer
    if getattr(trainer.__init__, "_trail_original", None) is not None:
        return

    class TrailLightningCallback(lightning.Callback):
        def on_train_epoch_end(self, trainer, pl_module):
            if not _auto["enabled"] or trail._forked_from is not None:
                return
            metrics = {}
            for key, value in dict(trainer.callback_metrics).items():
                v = _scalar(value)
                if isinstance(v, (int, float)) and not isinstance(v, bool) and key not in ("step", "epoch"):
                    metrics[key] = float(v)
            if metrics:
                trail.log_metrics(metrics, step=int(trainer.current_epoch))

    original = trainer.__init__

    def __init__(self, *args, **kwargs):
        if _auto["enabled"]:
            given = kwargs.get("callbacks")
            callbacks = [] if given is None else list(given) if isinstance(given, (list, tuple)) else [given]
            kwargs["callbacks"] = callbacks + [TrailLightningCallback()]
        original(self, *args, **kwargs)

    __init__._trail_original = original
    trainer.__init__ = __init__


def _first_use(original, record):
    if getattr(original, "_trail_original", None) is not None:
        return original

    def method(self, *args, **kwargs):
        if _auto["enabled"] and self not in _seen and trail._forked_from is None:
            _seen.add(self)
            try:
                record(self)
            except Exception as e:  # noqa: BLE001
                warnings.warn(f"trail.torch.autolog: could not record {type(self).__name__}: {e}", stacklevel=2)
        return original(self, *args, **kwargs)

    method._trail_original = original
    method.__name__ = getattr(original, "__name__", "method")
    method.__doc__ = getattr(original, "__doc__", None)
    return method


def _record_optimizer(optimizer):
    params = {"optimizer": type(optimizer).__name__}
    for key, value in _optimizer_hyperparameters(optimizer).items():
        params[f"optimizer.{key}"] = value
    trail.log_params(params)
    for category, name in functions_of(optimizer=optimizer):
        trail.log_function(category, name)


def _record_loss(loss_fn):
    trail.log_param("loss", type(loss_fn).__name__)
    for category, name in functions_of(loss_fn=loss_fn):
        trail.log_function(category, name)

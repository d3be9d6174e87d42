"""trail.autolog(): every framework hook, as mlflow.autolog() turns them all on.

For each framework that is installed (found without importing it first): scikit-learn
(trail.sklearn.autolog), PyTorch (trail.torch.autolog), Keras (trail.keras.autolog). A
framework that is installed but fails to import is skipped with a warning: autologging must
never break the training script.
"""
import importlib
import importlib.util
import sys
import warnings

__all__ = ["autolog"]

# (the framework's module, trail's hook module); Keras may come inside TensorFlow only.
_FRAMEWORKS = (("sklearn", "sklearn"), ("torch", "torch"), ("keras", "keras"), ("tensorflow", "keras"))


def _installed(name):
    if name in sys.modules:
        return sys.modules[name] is not None
    try:
        return importlib.util.find_spec(name) is not None
    except (ImportError, ValueError):
        return False


def autolog(log_models=True, disable=False, silent=False, **mlflow_options):
    """Turns on (disable=True: off) the hooks of every installed framework. Returns the names
    of the hooks it turned on or off. `log_models` is passed to the hooks that save models;
    MLflow's other options (log_input_examples, log_datasets, exclusive, ...) are accepted and
    have no effect. `silent` drops the warnings about frameworks that fail to import."""
    done = []
    for framework, hook in _FRAMEWORKS:
        if hook in done or not _installed(framework):
            continue
        try:
            module = importlib.import_module(f"trail.{hook}")
            if hook == "sklearn":
                module.autolog(log_models=log_models, disable=disable)
            else:
                module.autolog(disable=disable)
            done.append(hook)
        except Exception as e:  # noqa: BLE001 (a broken install raises anything)
            if not silent:
                warnings.warn(f"trail.autolog: {hook} not hooked: {e}", stacklevel=2)
    return done

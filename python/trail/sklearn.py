"""scikit-learn autologging: every top-level fit() is recorded.

    import trail, trail.sklearn
    trail.sklearn.autolog()
    clf = LogisticRegression(C=0.5).fit(x_train, y_train)   # params, fit time, training score, model
    clf.score(x_val, y_val)                                  # validation score

For each fit that is not inside another fit (a GridSearchCV's or a Pipeline's inner fits are
part of the outer one), the run gets:

- params: the estimator's get_params(deep=True); None and objects as text;
- tags `estimator_name`, `estimator_class`;
- metrics `fit_time_s` and `training_score` (estimator.score on the training data), and
  `validation_score` for each later score() call on other data; for a search, `best_cv_score`;
- the fitted model, saved with joblib under `model_dir/<run id>/` and recorded as an artifact
  (role `model`);
- the Table 1 functions (loss, penalty, solver, activation) of the estimator and its parts,
  from its actual parameters.

Logging never breaks a fit: a failure to record is a warning.
"""
import functools
import inspect
import os
import threading
import time
import warnings
import weakref

import trail
from trail import _trail

__all__ = ["autolog"]

_METHODS = ("fit", "fit_transform", "fit_predict")
_state = threading.local()   # depth: fits in progress on this thread; scoring: our own score() call
_config = {"enabled": False, "log_models": True, "model_dir": "models"}
_patched = []                # (class, method name, original)
_counter = {"models": 0}
_counter_lock = threading.Lock()
_training_data = weakref.WeakKeyDictionary()  # estimator -> id() of the X it was fitted on


def autolog(log_models=True, model_dir="models", disable=False):
    """Turns autologging on (or off with disable=True) for every scikit-learn estimator,
    including classes defined later that inherit from them. Idempotent."""
    _config.update(enabled=not disable, log_models=log_models, model_dir=os.fspath(model_dir))
    if disable or _patched:
        return
    from sklearn.base import BaseEstimator
    from sklearn.utils import all_estimators

    classes = {cls for _, cls in all_estimators()}
    for cls in list(classes):
        classes.update(c for c in cls.__mro__ if isinstance(c, type) and issubclass(c, BaseEstimator))
    classes.update(c for c in _mixins() if c is not None)
    for cls in classes:
        for name in _METHODS + ("score",):
            original = cls.__dict__.get(name)
            if original is None or getattr(original, "_trail_original", None) is not None:
                continue
            call = _fit_call if name != "score" else _score_call
            if inspect.isfunction(original):
                setattr(cls, name, _wrap_function(original, call))
            elif hasattr(original, "__get__"):  # available_if: a method that exists only sometimes
                setattr(cls, name, _WrappedDescriptor(original, call))
            else:
                continue
            _patched.append((cls, name, original))


def _mixins():
    from sklearn import base
    return [getattr(base, n, None) for n in ("ClassifierMixin", "RegressorMixin", "TransformerMixin",
                                              "ClusterMixin", "OutlierMixin", "DensityMixin")]


def _depth():
    return getattr(_state, "depth", 0)


def _active():
    # A forked worker (joblib's multiprocessing backend) must not log to its parent's run.
    return _config["enabled"] and trail._forked_from is None


def _fit_call(estimator, method, args, kwargs):
    if _depth() > 0 or not _active():
        _state.depth = _depth() + 1
        try:
            return method(*args, **kwargs)
        finally:
            _state.depth -= 1
    _state.depth = 1
    started = time.perf_counter()
    try:
        result = method(*args, **kwargs)
    finally:
        _state.depth = 0
    elapsed = time.perf_counter() - started
    try:
        _record_fit(estimator, args, kwargs, elapsed)
    except Exception as e:  # never break the user's fit
        warnings.warn(f"trail.sklearn: could not record {type(estimator).__name__}.fit: {e}", stacklevel=3)
    return result


def _score_call(estimator, method, args, kwargs):
    # Only the outermost score() counts: a Pipeline's score calls its last step's.
    if getattr(_state, "scoring", False) or _depth() > 0 or not _active():
        return method(*args, **kwargs)
    _state.scoring = True
    try:
        value = method(*args, **kwargs)
    finally:
        _state.scoring = False
    x = args[0] if args else kwargs.get("X")
    if x is not None and _training_data.get(estimator) == id(x):
        return value  # the training data: training_score has it
    try:
        trail.log_metric("validation_score", float(value))
    except Exception as e:
        warnings.warn(f"trail.sklearn: could not record {type(estimator).__name__}.score: {e}", stacklevel=3)
    return value


def _wrap_function(original, call):
    @functools.wraps(original)
    def method(self, *args, **kwargs):
        return call(self, functools.partial(original, self), args, kwargs)

    method._trail_original = original
    return method


class _WrappedDescriptor:
    """Wraps a method descriptor (scikit-learn's available_if) and keeps its availability:
    hasattr(pipeline, "score") stays what it was."""

    def __init__(self, inner, call):
        self._trail_original = inner
        self._call = call
        self.__doc__ = getattr(inner, "__doc__", None)

    def __set_name__(self, owner, name):
        pass

    def __get__(self, obj, owner=None):
        bound = self._trail_original.__get__(obj, owner)  # AttributeError when not available
        if obj is None:
            return bound
        call = self._call

        @functools.wraps(bound)
        def method(*args, **kwargs):
            return call(obj, bound, args, kwargs)

        return method


def _param_value(value):
    if value is None:
        return "None"
    if isinstance(value, (bool, int, float, str)):
        return value
    item = getattr(value, "item", None)  # numpy scalars
    if callable(item) and getattr(value, "shape", None) == ():
        try:
            v = item()
            if isinstance(v, (bool, int, float, str)):
                return v
        except Exception:
            pass
    if isinstance(value, type):
        return value.__name__
    if hasattr(value, "get_params"):
        return type(value).__name__
    if callable(value) and hasattr(value, "__name__"):
        return value.__name__
    text = repr(value)
    return text if len(text) <= 250 else text[:247] + "..."


def _public_name(cls):
    # sklearn.linear_model._logistic.LogisticRegression -> sklearn.linear_model.LogisticRegression
    parts = [p for p in cls.__module__.split(".") if not p.startswith("_")]
    return ".".join(parts + [cls.__name__])


def _components(estimator):
    """The estimator and the estimators inside it (pipeline steps, a search's best estimator)."""
    out, stack, seen = [], [estimator], set()
    while stack:
        est = stack.pop(0)
        if id(est) in seen or not hasattr(est, "get_params"):
            continue
        seen.add(id(est))
        out.append(est)
        try:
            params = est.get_params(deep=False)
        except Exception:
            params = {}
        for value in params.values():
            if hasattr(value, "get_params") and not isinstance(value, type):
                stack.append(value)
            elif isinstance(value, (list, tuple)):  # Pipeline steps, ColumnTransformer transformers
                for entry in value:
                    stack.extend(e for e in (entry if isinstance(entry, tuple) else (entry,)) if hasattr(e, "get_params"))
        best = getattr(est, "best_estimator_", None)
        if best is not None:
            stack.append(best)
    return out


def _record_fit(estimator, args, kwargs, elapsed):
    cls = type(estimator)
    try:
        params = estimator.get_params(deep=True)
    except Exception:
        params = {}
    trail.log_params({key: _param_value(value) for key, value in params.items()})
    trail.set_tags({"estimator_name": cls.__name__, "estimator_class": f"{cls.__module__}.{cls.__name__}"})
    trail.log_metric("fit_time_s", elapsed)

    x = args[0] if args else kwargs.get("X")
    y = args[1] if len(args) > 1 else kwargs.get("y")
    try:
        _training_data[estimator] = id(x)
    except TypeError:
        pass
    if x is not None and y is not None and hasattr(estimator, "score"):
        _state.scoring = True
        try:
            trail.log_metric("training_score", float(estimator.score(x, y)))
        except Exception:
            pass  # not every estimator can score what it was fitted on (e.g. a transformer)
        finally:
            _state.scoring = False
    best = getattr(estimator, "best_score_", None)
    if isinstance(best, (int, float)):
        trail.log_metric("best_cv_score", float(best))

    for component in _components(estimator):
        config = {k: v for k, v in component.get_params(deep=False).items()
                  if isinstance(v, (bool, int, float, str)) or v is None}
        for category, name in _trail._functions_of(_public_name(type(component)), config):
            trail.log_function(category, name)

    if _config["log_models"]:
        import joblib

        run = trail.active_run()
        with _counter_lock:
            _counter["models"] += 1
            n = _counter["models"]
        folder = os.path.join(_config["model_dir"], run.id if run else "models")
        os.makedirs(folder, exist_ok=True)
        path = os.path.join(folder, f"{cls.__name__}-{n}.joblib")
        joblib.dump(estimator, path)
        trail.log_artifact(path, role="model")

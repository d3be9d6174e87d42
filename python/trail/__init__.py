"""trail's Python client: log to a trail run from inside the training process.

    import trail

    with trail.start_run(params={"lr": 0.01}):      # or run under `trail run`
        for epoch in range(10):
            trail.log_metric("loss", loss, step=epoch)

The functions are named as MLflow's fluent API names them (log_param(s), log_metric(s),
set_tag(s), log_artifact, start_run, end_run, active_run), so a script can switch by changing
its import. They are a binding of trail's C++ library, not a second implementation: a run
started here is the record `trail run` would make (id, code snapshot, full context).

Under `trail run`, the run is the one `trail run` records: logging joins it and `trail run`
finalizes it. Standalone, the first logging call (or start_run) starts a run in the project
that contains the working directory; it ends when its `with` block or the process ends, as
failed on an uncaught exception.

Importing this module imports nothing heavy (no numpy, no frameworks); trail.keras,
trail.sklearn and trail.torch import their framework when first used.
"""
import atexit
import os
import sys
import threading

from . import _trail
from ._trail import (TrailError, flush, log_function, log_metric, log_metrics, log_param, log_params, set_tag,
                     set_tags)

__version__ = getattr(_trail, "__version__", "0")

__all__ = [
    "TrailError", "ActiveRun", "start_run", "end_run", "active_run", "log_param", "log_params", "log_metric",
    "log_metrics", "set_tag", "set_tags", "log_artifact", "log_data", "log_function", "flush", "seed",
    "resume_step",
]

_STATUSES = ("finished", "failed", "killed")

# Guards the run's lifecycle (start, join, end). The logging functions never take it: they
# run in C++ under the GIL and read the current run there.
_lock = threading.RLock()
_run = None            # the ActiveRun this process logs to
_forked_from = None    # in a forked child: the id of the parent's run
_exit_status = None    # set by the excepthook when an exception ends the process
_exiting = False       # atexit has run: a daemon thread's late call must not start a new run
_hooks_installed = False


class RunInfo:
    """What MLflow calls run.info: run_id, run_name, status."""

    __slots__ = ("run_id", "run_name", "status")

    def __init__(self, run_id, run_name, status):
        self.run_id, self.run_name, self.status = run_id, run_name, status

    def __repr__(self):
        return f"RunInfo(run_id={self.run_id!r}, status={self.status!r})"


class ActiveRun:
    """The run this process logs to. A context manager: leaving the `with` block ends a run
    this process started (as failed when an exception leaves it) and flushes a joined one."""

    def __init__(self, run_id, joined, name=None):
        self.id = run_id
        self.joined = joined   # True: under `trail run`, which finalizes the run
        self.info = RunInfo(run_id, name, "running")
        self.record = None     # the final record (a dict) once a started run has ended

    def __enter__(self):
        return self

    def __exit__(self, exc_type, exc, tb):
        status = _status_for(exc_type, exc)
        if _run is self:
            if self.joined:
                flush()
            else:
                end_run(status)
        return False

    def __repr__(self):
        kind = "joined" if self.joined else "started"
        return f"<trail.ActiveRun {self.id} ({kind}, {self.info.status})>"


def _status_for(exc_type, exc):
    if exc_type is None:
        return "finished"
    if issubclass(exc_type, SystemExit):
        code = exc.code if exc is not None else None
        return "finished" if code in (None, 0) else "failed"
    if issubclass(exc_type, KeyboardInterrupt):
        return "killed"
    return "failed"


def _under_trail_run():
    # Variables this process exported for its own standalone run (or that a forked child inherited
    # with them) do not make it a child of that run.
    if _exported is not None:
        return False
    return bool(os.environ.get("TRAIL_RUN_ID")) and bool(os.environ.get("TRAIL_METRICS"))


_exported = None  # the environment variables start_run set, and what they were before


def _export_run(run_id):
    """Lets programs this process starts (subprocess, multiprocessing's spawn) join the run, as
    they would under `trail run`: the same variables, pointing at the run's live folder. A
    forked child still refuses (see _check_not_forked); a new interpreter joins."""
    global _exported
    root = os.getcwd()
    while not os.path.exists(os.path.join(root, ".git")) and os.path.dirname(root) != root:
        root = os.path.dirname(root)
    metrics = os.path.join(root, ".trail", "live", run_id, "metrics.jsonl")
    if not os.path.exists(metrics):
        return
    values = {"TRAIL_RUN_ID": run_id, "TRAIL_METRICS": metrics, "TRAIL_PROJECT_ROOT": root}
    step = _trail._resume_step()
    if step is not None:  # a resumed run: programs it starts continue too, as under trail run --resume
        values.update({"TRAIL_RESUME": "1", "TRAIL_RESUME_STEP": str(step)})
    _exported = {k: os.environ.get(k) for k in values}
    os.environ.update(values)


def _unexport_run():
    global _exported
    if _exported is None:
        return
    for k, v in _exported.items():
        if v is None:
            os.environ.pop(k, None)
        else:
            os.environ[k] = v
    _exported = None


def _argv():
    # The command as the shell ran it (interpreter first), as `trail run` would record it.
    argv = list(getattr(sys, "orig_argv", None) or [sys.executable] + sys.argv)
    return [str(a) for a in argv]


def _check_not_forked():
    if _forked_from is not None:
        raise TrailError(f"this process is a fork of the one recording run {_forked_from}; a forked child "
                         f"cannot log to its parent's run (log from the parent, or start the child with "
                         f"trail.start_run())")


def _join_locked():
    global _run
    run_id = _trail._join()
    if run_id is None:
        return None
    _install_hooks()
    _run = ActiveRun(run_id, True)
    return _run


def start_run(name=None, params=None, tags=None, *, run_name=None, run_id=None, force=False):
    """Starts a run, exactly as `trail run` would (id, code snapshot, full context), and makes it
    the one this process logs to. Use it as `with trail.start_run(...) as run:`; otherwise the
    run ends when the process exits (failed on an uncaught exception), or at end_run().

    `run_id` (id, number or uid, MLflow's meaning) continues that run instead, as
    `trail run --resume` does: a crashed, killed, failed or pruned run (a finished one only with
    `force=True`) keeps its id, its metrics go on after the last recorded step (resume_step()
    says which) and its record gets one more attempt.

    Under `trail run` it joins the run `trail run` records instead and logs params and tags
    to it (the name is trail run's --name); a `run_id` must then name that run (resume it with
    `trail run --resume ID`). Raises TrailError when a run is already active, when the working
    directory is not in a trail project (`trail init`), or when run_id cannot be resumed.
    `run_name` is MLflow's spelling of `name`."""
    global _run, _forked_from
    if run_name is not None:
        if name is not None:
            raise TypeError("start_run: give name or run_name, not both")
        name = run_name
    with _lock:
        if _run is not None:
            raise TrailError(f"run {_run.id} is already active in this process; end it first (trail.end_run())")
        if run_id is not None and not isinstance(run_id, (str, int)):
            raise TypeError(f"start_run: run_id is {type(run_id).__name__}; expected a run id, number or uid")
        if _under_trail_run():
            if run_id is not None:
                own = os.environ.get("TRAIL_RUN_ID", "")
                if str(run_id) not in (own, own.rsplit("-", 1)[-1], os.environ.get("TRAIL_RUN_UID")):
                    raise TrailError(f"start_run: this process runs under trail run as run {own}, not "
                                     f"{run_id}; resume {run_id} with `trail run --resume {run_id} -- ...`")
            run = _join_locked()
            if run is not None:
                if params:
                    log_params(params)
                if tags:
                    set_tags(tags)
                return run
        resume = "" if run_id is None else str(run_id)
        run_id = _trail._start(name, params, tags, _argv(), os.getcwd(), resume, bool(force))
        _forked_from = None  # a forked child that starts its own run logs to it
        _install_hooks()
        _run = ActiveRun(run_id, False, name)
        _export_run(run_id)
        return _run


def resume_step():
    """When the run this process logs to was resumed (start_run(run_id=...) or
    `trail run --resume`): the last step recorded before this attempt (-1 when none was), so
    training continues at resume_step() + 1. None when the run was not resumed, or there is none."""
    with _lock:
        if _run is not None:
            return _trail._resume_step()
    if _under_trail_run() and os.environ.get("TRAIL_RESUME") == "1":
        try:
            return int(os.environ.get("TRAIL_RESUME_STEP", "-1"))
        except ValueError:
            return -1
    return None


def active_run():
    """The run this process logs to: the one started here, or, under `trail run`, that run
    (joined on first call). None when there is neither."""
    with _lock:
        if _run is not None:
            return _run
        if _forked_from is None and _under_trail_run():
            return _join_locked()
        return None


def end_run(status="finished"):
    """Ends the active run: a started run is finalized and committed with `status` (finished,
    failed or killed; MLflow's upper-case spellings are accepted); a joined run is flushed and
    left to `trail run`. Returns the final record of a started run as a dict. No-op without a run."""
    global _run
    if not isinstance(status, str) or status.lower() not in _STATUSES:
        raise ValueError(f"end_run: status is {status!r}; expected one of {', '.join(_STATUSES)}")
    status = status.lower()
    with _lock:
        run = _run
        if run is None:
            return None
        try:
            record = _trail._end(status)
        finally:
            _run = None
            if not run.joined:
                _unexport_run()
            run.info.status = status if not run.joined else "running"
        run.record = record if not run.joined else None
        return run.record


def _auto_run():
    """Called by the logging functions when no run is active (MLflow's behaviour): joins the
    `trail run` this process runs under, or starts a run that ends with the process."""
    with _lock:
        if _run is not None:
            return
        _check_not_forked()
        if _exiting:
            raise TrailError("the process is exiting and its run has ended; nothing more is recorded")
        if _under_trail_run() and _join_locked() is not None:
            return
        start_run()  # the lock is re-entrant: two threads' first calls start one run


def log_artifact(local_path, role=None):
    """Stores a file the run produced (a model, a checkpoint, a plot) in trail's object store
    now, and records its path, size, content id and role (guessed from the name when None:
    checkpoint, keras, torch, onnx, joblib, ...). `trail get RUN ARTIFACT` restores it later,
    even after the file was overwritten by the next checkpoint."""
    path = os.fspath(local_path)
    if isinstance(path, bytes):
        path = os.fsdecode(path)
    if role is not None and not isinstance(role, str):
        raise TypeError(f"log_artifact: role is {type(role).__name__}; expected str or None")
    _trail._log_artifact(os.path.abspath(path), role or "")


_MAX_SEED = 4294967295  # PYTHONHASHSEED's range is 0..4294967295


def seed(n=None):
    """Seeds every generator a training script usually draws from and records `seed: n` on the
    run (starting one as the logging functions do; under `trail run`, on that run). Returns n.

    Seeds Python's `random`, NumPy's global generator (np.random.seed) and PyTorch
    (torch.manual_seed, and torch.cuda.manual_seed_all when CUDA is available) where they are
    installed, and sets PYTHONHASHSEED and TRAIL_SEED in os.environ for child processes (this
    process's own string hashing was fixed when it started: `trail run --seed N` sets it).

    n None: the seed `trail run --seed N` (or `trail reproduce`) gave in TRAIL_SEED, so a script
    that calls trail.seed() is re-seeded identically; else a random seed, recorded so the run
    can be repeated. n is an int from 0 to 4294967295."""
    if n is None:
        given = os.environ.get("TRAIL_SEED", "")
        if given:
            try:
                n = int(given, 10)
            except ValueError:
                raise ValueError(f"seed: TRAIL_SEED is {given!r}; expected an integer from 0 to {_MAX_SEED}") from None
        else:
            import random
            n = random.SystemRandom().randrange(_MAX_SEED + 1)
    if isinstance(n, bool) or not isinstance(n, int):
        raise TypeError(f"seed: n is {type(n).__name__}; expected an int from 0 to {_MAX_SEED}")
    if not 0 <= n <= _MAX_SEED:
        raise ValueError(f"seed: n is {n}; expected an int from 0 to {_MAX_SEED}")
    _trail._set_seed(n)  # recorded first: a refused record seeds nothing
    _seed_generators(n)
    os.environ["PYTHONHASHSEED"] = str(n)
    os.environ["TRAIL_SEED"] = str(n)
    return n


def _seed_generators(n):
    import importlib.util
    import random
    random.seed(n)

    def available(name):
        # Imported already, or installed: find_spec reads no module code.
        if name in sys.modules:
            return sys.modules[name] is not None
        try:
            return importlib.util.find_spec(name) is not None
        except (ImportError, ValueError):
            return False

    def load(name):
        # A framework that is installed but cannot be imported here is not one the script uses.
        if not available(name):
            return None
        try:
            return importlib.import_module(name)
        except Exception:  # noqa: BLE001 (a broken install raises anything)
            return None

    numpy = load("numpy")
    if numpy is not None:
        numpy.random.seed(n)
    torch = load("torch")
    if torch is not None:
        torch.manual_seed(n)
        if torch.cuda.is_available():
            torch.cuda.manual_seed_all(n)


def log_data(role, data, snapshot=0.01, seed=0, stratify=None):
    """Records a data input as `trail run --data ROLE=PATH` does: its content hash, size,
    number of instances and a reproducible snapshot (`snapshot` of its rows, chosen with `seed`,
    keeping each class's share when `stratify` names a column) kept in the object store.

    `data` is a path (CSV, TSV, JSON Lines, .npy, .npz, TFRecord, Parquet), a URL (recorded
    as the source only), a numpy array (saved as .npy first) or a pandas DataFrame (saved as
    CSV first)."""
    if not isinstance(role, str) or not role:
        raise TypeError(f"log_data: role is {role!r}; expected a non-empty str")
    if isinstance(snapshot, bool) or not isinstance(snapshot, (int, float)) or not 0 < snapshot <= 1:
        raise ValueError(f"log_data: snapshot is {snapshot!r}; expected a fraction in (0, 1]")
    if isinstance(seed, bool) or not isinstance(seed, int) or seed < 0:
        raise ValueError(f"log_data: seed is {seed!r}; expected a non-negative int")
    if stratify is not None and not isinstance(stratify, str):
        raise TypeError(f"log_data: stratify is {type(stratify).__name__}; expected str or None")
    source, tmp, label = _data_source(role, data)
    try:
        _trail._log_data(role, source, float(snapshot), seed, stratify or "", label)
    finally:
        if tmp is not None:
            os.unlink(tmp)


def _data_source(role, data):
    """(source, temp file to delete, label to record) for what log_data was given."""
    if isinstance(data, (str, bytes, os.PathLike)):
        path = os.fspath(data)
        if isinstance(path, bytes):
            path = os.fsdecode(path)
        return (path if "://" in path else os.path.abspath(path)), None, ""
    import tempfile
    kind = type(data).__module__.split(".")[0]
    if kind == "numpy":
        import numpy
        fd, tmp = tempfile.mkstemp(prefix=f"trail-{role}-", suffix=".npy")
        with os.fdopen(fd, "wb") as f:
            numpy.save(f, data)
        return tmp, tmp, f"numpy array {data.dtype} {tuple(data.shape)}"
    if kind == "pandas":
        fd, tmp = tempfile.mkstemp(prefix=f"trail-{role}-", suffix=".csv")
        os.close(fd)
        data.to_csv(tmp, index=False)
        return tmp, tmp, f"pandas DataFrame {data.shape[0]}x{data.shape[1]}"
    raise TypeError(f"log_data: data is {type(data).__name__}; expected a path, a URL, a numpy array "
                    "or a pandas DataFrame")


# ----------------------------------------------------------------------------------------------
# Process lifecycle: exit, uncaught exceptions, fork.

def _excepthook(exc_type, exc, tb):
    global _exit_status
    _exit_status = _status_for(exc_type, exc)
    _previous_excepthook(exc_type, exc, tb)


_previous_excepthook = sys.excepthook
_previous_exit = sys.exit


def _exit(status=None):
    # SystemExit never reaches sys.excepthook, and atexit cannot see the exit code: remember
    # what sys.exit(...) was called with, as W&B's exit hooks do. `raise SystemExit(1)` written
    # out by hand bypasses this and records "finished".
    global _exit_status
    _exit_status = _status_for(SystemExit, SystemExit(status))
    _previous_exit(status)


def _install_hooks():
    global _hooks_installed, _previous_excepthook, _previous_exit
    if _hooks_installed:
        return
    _hooks_installed = True
    _previous_excepthook = sys.excepthook
    sys.excepthook = _excepthook
    _previous_exit = sys.exit
    sys.exit = _exit


@atexit.register
def _at_exit():
    # A started run ends here unless its `with` block or end_run() ended it; a joined run is
    # flushed (trail run finalizes it when this process has exited).
    global _exiting
    _exiting = True
    if _run is None:
        return
    try:
        end_run(_exit_status or "finished")
    except Exception as e:  # the process is exiting: report, never raise
        print(f"trail: {e}", file=sys.stderr)


def _after_fork_in_child():
    global _run, _forked_from, _lock
    _lock = threading.RLock()  # another thread may have held it at fork time
    if _run is not None:
        # A started run belongs to the parent: the child may not log to it. Under `trail run`
        # the child joins the same run again on its first call, through $TRAIL_METRICS.
        if not _run.joined:
            _forked_from = _run.id
        _trail._abandon_in_child()
        _run = None


os.register_at_fork(after_in_child=_after_fork_in_child)


def __getattr__(name):
    # trail.keras, trail.sklearn, trail.torch import their framework: only on first use.
    if name in ("keras", "sklearn", "torch"):
        import importlib
        return importlib.import_module(f"{__name__}.{name}")
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


from .read import get_metric_history, get_run, list_run_keys, search_runs  # noqa: E402 (reading runs back)
__all__ += ["search_runs", "get_run", "get_metric_history", "list_run_keys"]

"""trail's Python client: log to a trail run from inside the training process.

    import trail

    with trail.start_run(params={"lr": 0.01}):      # or run under `trail run`
        for epoch in range(10):
            trail.log_metric("loss", loss, step=epoch)

Where a function has an MLflow name (log_param(s), log_metric(s), set_tag(s), delete_tag,
log_artifact(s), log_dict, log_text, log_figure, log_image, start_run, end_run, active_run,
set_experiment, autolog, ...), it takes MLflow's arguments with MLflow's meaning, so a tracking
script switches with `import trail as mlflow` (docs/python.md lists where trail differs). They
are a binding of trail's C++ library, not a second implementation: a run started here is the
record `trail run` would make (id, code snapshot, full context).

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
from ._artifacts import log_artifact, log_artifacts, log_dict, log_figure, log_image, log_text
from ._autolog import autolog
from ._trail import TrailError, delete_tag, flush, log_function, log_metric, log_metrics, log_params, set_tag, set_tags

__version__ = getattr(_trail, "__version__", "0")

__all__ = [
    "TrailError", "ActiveRun", "start_run", "end_run", "active_run", "log_param", "log_params", "log_metric",
    "log_metrics", "set_tag", "set_tags", "log_artifact", "log_data", "log_function", "flush", "seed",
    "resume_step",
]
__all__ += [
    "delete_tag", "log_artifacts", "log_dict", "log_text", "log_figure", "log_image", "autolog", "set_experiment",
    "get_tracking_uri", "set_tracking_uri", "Experiment", "RunInfo",
]

_STATUSES = ("finished", "failed", "killed")
_EXPERIMENT_TAG = "experiment"  # set_experiment(name): the tag every run started after it gets

# Guards the run's lifecycle (start, join, end). The logging functions never take it: they
# run in C++ under the GIL and read the current run there.
_lock = threading.RLock()
_run = None            # the ActiveRun this process logs to
_parents = []          # the runs a nested run was started in (start_run(nested=True)), innermost last
_experiment = None     # set_experiment's name
_forked_from = None    # in a forked child: the id of the parent's run
_exit_status = None    # set by the excepthook when an exception ends the process
_exiting = False       # atexit has run: a daemon thread's late call must not start a new run
_hooks_installed = False


class RunInfo:
    """What MLflow calls run.info: run_id, run_name, status (MLflow's upper-case spelling:
    RUNNING, FINISHED, FAILED, KILLED), experiment_id (set_experiment's name, or None)."""

    __slots__ = ("run_id", "run_name", "status", "experiment_id")

    def __init__(self, run_id, run_name, status, experiment_id=None):
        self.run_id, self.run_name, self.status, self.experiment_id = run_id, run_name, status, experiment_id

    def __repr__(self):
        return f"RunInfo(run_id={self.run_id!r}, status={self.status!r})"


class ActiveRun:
    """The run this process logs to. A context manager: leaving the `with` block ends a run
    this process started (as failed when an exception leaves it) and flushes a joined one."""

    def __init__(self, run_id, joined, name=None, experiment=None):
        self.id = run_id
        self.joined = joined   # True: under `trail run`, which finalizes the run
        self.info = RunInfo(run_id, name, "RUNNING", experiment)
        self.record = None     # the final record (a dict) once a started run has ended
        self.exported = None   # the environment variables _export_run set, and what they were

    def __enter__(self):
        return self

    def __exit__(self, exc_type, exc, tb):
        status = _status_for(exc_type, exc)
        with _lock:
            # Children started in this block and left open end with it (MLflow's end_run()
            # ends the innermost run).
            while _run is not None and _run is not self and self in _parents:
                end_run(status)
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
    if any(r.exported for r in _parents + [_run] if r is not None) or _inherited_export:
        return False
    return bool(os.environ.get("TRAIL_RUN_ID")) and bool(os.environ.get("TRAIL_METRICS"))


_inherited_export = False  # in a forked child: the parent's run had exported its variables


def _export_run(run):
    """Lets programs this process starts (subprocess, multiprocessing's spawn) join the run, as
    they would under `trail run`: the same variables, pointing at the run's live folder. A
    forked child still refuses (see _check_not_forked); a new interpreter joins. A nested run's
    variables replace its parent's until it ends."""
    root = os.getcwd()
    while not os.path.exists(os.path.join(root, ".git")) and os.path.dirname(root) != root:
        root = os.path.dirname(root)
    metrics = os.path.join(root, ".trail", "live", run.id, "metrics.jsonl")
    if not os.path.exists(metrics):
        return
    values = {"TRAIL_RUN_ID": run.id, "TRAIL_METRICS": metrics, "TRAIL_PROJECT_ROOT": root}
    step = _trail._resume_step()
    if step is not None:  # a resumed run: programs it starts continue too, as under trail run --resume
        values.update({"TRAIL_RESUME": "1", "TRAIL_RESUME_STEP": str(step)})
    else:
        values.update({"TRAIL_RESUME": None, "TRAIL_RESUME_STEP": None})
    run.exported = {k: os.environ.get(k) for k in values}
    for k, v in values.items():
        if v is None:
            os.environ.pop(k, None)
        else:
            os.environ[k] = v


def _unexport_run(run):
    if not run.exported:
        return
    for k, v in run.exported.items():
        if v is None:
            os.environ.pop(k, None)
        else:
            os.environ[k] = v
    run.exported = None


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


def start_run(run_id=None, experiment_id=None, run_name=None, nested=False, parent_run_id=None, tags=None,
              description=None, log_system_metrics=None, *, name=None, params=None, force=False):
    """Starts a run, exactly as `trail run` would (id, code snapshot, full context), and makes it
    the one this process logs to. Use it as `with trail.start_run(...) as run:`; otherwise the
    run ends when the process exits (failed on an uncaught exception), or at end_run().
    MLflow's arguments, with MLflow's meaning:

    - `run_id` (id, number or uid) continues that run instead, as `trail run --resume` does: a
      crashed, killed, failed or pruned run (a finished one only with `force=True`) keeps its
      id, its metrics go on after the last recorded step (resume_step() says which) and its
      record gets one more attempt.
    - `run_name` names the run (`name=` is trail's spelling of it).
    - `nested=True` while a run is active starts a child run recorded with `parent: <that id>`;
      the parent is active again when the child ends. `parent_run_id` records that parent.
    - `experiment_id` (trail's experiments are names: see set_experiment) and `description`
      become the tags `experiment` and `description`; `tags` are set on the run.
    - `log_system_metrics` is accepted and has no effect.
    `params` (trail's) are logged at the start.

    Under `trail run` it joins the run `trail run` records instead and logs params and tags
    to it (the name is trail run's --name); a `run_id` must then name that run (resume it with
    `trail run --resume ID`). Raises TrailError when a run is already active and nested is
    False, when the working directory is not in a trail project (`trail init`), or when run_id
    cannot be resumed."""
    global _run, _forked_from
    if run_name is not None:
        if name is not None:
            raise TypeError("start_run: give name or run_name, not both")
        name = run_name
    if run_id is not None and (isinstance(run_id, bool) or not isinstance(run_id, (str, int))):
        raise TypeError(f"start_run: run_id is {type(run_id).__name__}; expected a run id, number or uid")
    for arg, value in (("experiment_id", experiment_id), ("parent_run_id", parent_run_id)):
        if value is not None and (isinstance(value, bool) or not isinstance(value, (str, int)) or str(value) == ""):
            raise TypeError(f"start_run: {arg} is {value!r}; expected a non-empty str")
    if description is not None and not isinstance(description, str):
        raise TypeError(f"start_run: description is {type(description).__name__}; expected str")
    extra = {}
    experiment = str(experiment_id) if experiment_id is not None else _experiment
    if experiment is not None:
        extra[_EXPERIMENT_TAG] = experiment
    if description is not None:
        extra["description"] = description
    if extra and (tags is None or hasattr(tags, "items")):  # anything else: the library's TypeError
        tags = {**extra, **(dict(tags.items()) if tags is not None else {})}
    with _lock:
        parent = _run
        if parent is not None and not nested and parent_run_id is None:
            raise TrailError(f"run {parent.id} is already active in this process; end it first (trail.end_run()), "
                             f"or start a child run with start_run(nested=True)")
        if parent is not None and parent_run_id is not None and str(parent_run_id) != parent.id:
            raise TrailError(f"start_run: parent_run_id {parent_run_id} is not the active run {parent.id}")
        if parent is None and _under_trail_run():
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
                run.info.run_name = run.info.run_name or name
                run.info.experiment_id = experiment
                return run
        resume = "" if run_id is None else str(run_id)
        parent_id = parent.id if parent is not None else ("" if parent_run_id is None else str(parent_run_id))
        if parent is not None:
            _trail._park()
        try:
            run_id = _trail._start(name, params, tags, _argv(), os.getcwd(), resume, bool(force), parent_id)
        except BaseException:
            if parent is not None:
                _trail._unpark()
            raise
        if parent is not None:
            _parents.append(parent)
        _forked_from = None  # a forked child that starts its own run logs to it
        _install_hooks()
        _run = ActiveRun(run_id, False, name, experiment)
        _export_run(_run)
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


def end_run(status="FINISHED"):
    """Ends the active run: a started run is finalized and committed with `status` (MLflow's
    FINISHED, FAILED or KILLED; trail's lower-case spellings are accepted); a joined run is
    flushed and left to `trail run`. After a nested run, its parent is active again. Returns the
    final record of a started run as a dict. No-op without a run."""
    global _run
    if not isinstance(status, str) or status.lower() not in _STATUSES:
        raise ValueError(f"end_run: status is {status!r}; expected one of {', '.join(_STATUSES)} "
                         f"(or MLflow's upper-case spellings)")
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
                _unexport_run(run)
            run.info.status = status.upper() if not run.joined else "RUNNING"
            if _parents:
                _run = _parents.pop()
                _trail._unpark()
        run.record = record if not run.joined else None
        return run.record


def set_experiment(experiment_name=None, experiment_id=None):
    """MLflow's grouping of runs, in trail's terms: every run started after this call (by
    start_run, or by the first logging call) gets the tag `experiment: <name>`, so
    `trail ls --where "tags.experiment = 'NAME'"` lists the group. trail has no separate
    experiment ids: `experiment_id` is taken as the name. Returns an Experiment."""
    global _experiment
    value = experiment_name if experiment_name is not None else experiment_id
    if value is None or isinstance(value, bool) or not isinstance(value, (str, int)) or str(value) == "":
        raise ValueError(f"set_experiment: experiment_name is {value!r}; expected a non-empty str")
    _experiment = str(value)
    return Experiment(_experiment)


class Experiment:
    """What MLflow's set_experiment returns: experiment_id and name are both the name."""

    __slots__ = ("experiment_id", "name", "tags", "lifecycle_stage")

    def __init__(self, name):
        self.experiment_id = self.name = name
        self.tags = {}
        self.lifecycle_stage = "active"

    def __repr__(self):
        return f"Experiment(name={self.name!r})"


def set_tracking_uri(uri):
    """Accepted for MLflow scripts and otherwise ignored: trail records into the Git project
    that contains the working directory, never to a server. A remote URI (http, databricks,
    ...) gets a warning saying so."""
    uri = os.fspath(uri) if isinstance(uri, os.PathLike) else uri
    if not isinstance(uri, str):
        raise TypeError(f"set_tracking_uri: uri is {type(uri).__name__}; expected str")
    if "://" in uri and not uri.startswith("file:"):
        import warnings
        warnings.warn(f"trail records into the Git project of the working directory; tracking URI {uri} "
                      f"is ignored", stacklevel=2)


def get_tracking_uri():
    """Where runs are recorded: the file: URI of the Git work tree that contains the working
    directory (the trail project), or of the working directory when there is none."""
    import pathlib
    here = pathlib.Path.cwd()
    for folder in (here, *here.parents):
        if (folder / ".git").exists():
            return folder.as_uri()
    return here.as_uri()


def log_param(key, value, synchronous=None):
    """Records one param (int, float, bool, str, a numpy scalar) and returns `value`, as
    MLflow's log_param does. `synchronous` is accepted (trail's logging is always buffered and
    flushed within a second)."""
    _trail.log_param(key, value)
    return value


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

    from ._autolog import _installed as available  # imported already, or installed (no module code run)

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
    while _run is not None:
        current = _run
        try:
            end_run(_exit_status or "finished")
        except Exception as e:  # the process is exiting: report, never raise
            print(f"trail: {e}", file=sys.stderr)
        if _run is current:
            break


def _after_fork_in_child():
    global _run, _forked_from, _lock, _parents, _inherited_export
    _lock = threading.RLock()  # another thread may have held it at fork time
    _inherited_export = _inherited_export or any(r.exported for r in _parents + [_run] if r is not None)
    _parents = []  # the parked runs are the parent process's too: _abandon_in_child drops them
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
    # trail.pytorch is trail.torch under MLflow's name (mlflow.pytorch.log_model).
    if name in ("keras", "sklearn", "torch", "pytorch"):
        import importlib
        return importlib.import_module(f"{__name__}.{'torch' if name == 'pytorch' else name}")
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


from .read import get_metric_history, get_run, list_run_keys, search_runs  # noqa: E402 (reading runs back)
__all__ += ["search_runs", "get_run", "get_metric_history", "list_run_keys"]

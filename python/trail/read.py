"""Reading runs back: search_runs, get_run, get_metric_history, list_run_keys.

    import trail

    df = trail.search_runs("metrics.val_loss < 0.3", order_by=["metrics.val_loss ASC"])
    run = trail.get_run(df.run_id[0])
    history = trail.get_metric_history(run.info.run_id, "val_loss", output_format="numpy")

MLflow's names and shapes (a DataFrame with run_id, status, start_time, params.*, metrics.*,
tags.*; Run entities with .info and .data; Metric(key, value, timestamp, step)), read through
trail's C++ library: the same query engine and index as `trail ls`, no subprocess. The table is
built in C++ as typed columns and handed over as numpy arrays (docs/python.md, "Reading runs
back"). numpy and pandas are imported by the first call, not by `import trail`.
"""
import math
import os
from datetime import datetime

from . import _trail

__all__ = ["search_runs", "get_run", "get_metric_history", "list_run_keys", "Run", "RunInfo", "RunData", "Metric"]

# MLflow's RunStatus for trail's statuses (docs/formats/run-yaml.md): a crashed run (trail or the
# machine died) is FAILED, a pruned sweep trial (stopped early) is KILLED.
_STATUS = {"finished": "FINISHED", "failed": "FAILED", "crashed": "FAILED", "killed": "KILLED",
           "pruned": "KILLED", "running": "RUNNING"}
_FORMATS = ("pandas", "list")


class Metric:
    """One point of a metric's history, as MLflow's entities.Metric: timestamp in milliseconds."""

    __slots__ = ("key", "value", "timestamp", "step")

    def __init__(self, key, value, timestamp, step):
        self.key, self.value, self.timestamp, self.step = key, value, timestamp, step

    def __eq__(self, other):
        if not isinstance(other, Metric):
            return NotImplemented
        return (self.key, self.value, self.timestamp, self.step) == (other.key, other.value, other.timestamp,
                                                                     other.step)

    def __repr__(self):
        return f"<Metric: key={self.key!r}, value={self.value!r}, timestamp={self.timestamp!r}, step={self.step!r}>"


class RunInfo:
    """MLflow's run.info: run_id (trail's id, `fraud-58`), run_name, status (FINISHED, FAILED,
    KILLED, RUNNING), start_time and end_time (milliseconds since the epoch, None when unknown),
    user_id, lifecycle_stage ("active", or "deleted" for an archived run), experiment_id (the
    run's `experiment` tag, set_experiment's name; "0", MLflow's default, when it has none); plus
    trail's number, trail_status (finished, crashed, pruned, ...), duration_s, exit_code and parent."""

    __slots__ = ("run_id", "run_name", "status", "start_time", "end_time", "user_id", "lifecycle_stage", "number",
                 "trail_status", "duration_s", "exit_code", "parent", "experiment_id")

    def __init__(self, **fields):
        for name in self.__slots__:
            setattr(self, name, fields.get(name))

    @property
    def run_uuid(self):  # MLflow's older name
        return self.run_id


    @property
    def artifact_uri(self):
        return None

    def to_dictionary(self):
        return {name: getattr(self, name) for name in self.__slots__}

    def __repr__(self):
        return f"<RunInfo: run_id={self.run_id!r}, run_name={self.run_name!r}, status={self.status!r}>"


class RunData:
    """MLflow's run.data: params (name -> value, typed as recorded: int, float, bool or str,
    where MLflow's are str), metrics (name -> last value), tags (name -> str); plus trail's
    summaries (name -> {last, min, max, count, last_step, ...}) and derived (val_loss_min, ...)."""

    __slots__ = ("params", "metrics", "tags", "summaries", "derived")

    def __init__(self, params, metrics, tags, summaries, derived):
        self.params, self.metrics, self.tags, self.summaries, self.derived = params, metrics, tags, summaries, derived

    def to_dictionary(self):
        return {name: dict(getattr(self, name)) for name in self.__slots__}

    def __repr__(self):
        return f"<RunData: params={self.params!r}, metrics={self.metrics!r}, tags={self.tags!r}>"


class Run:
    """MLflow's entities.Run: .info and .data. `record` is trail's whole record (run.yaml as a
    dict: context, environment, code, data, artifacts, ...) for get_run, and the listing's row
    (`trail ls --format json`'s fields) for search_runs(output_format="list")."""

    __slots__ = ("info", "data", "record")

    def __init__(self, info, data, record):
        self.info, self.data, self.record = info, data, record

    @property
    def artifacts(self):
        """The record's artifacts: path, role, size, oid (and a model's summary)."""
        return self.record.get("artifacts", [])

    def to_dictionary(self):
        return {"info": self.info.to_dictionary(), "data": self.data.to_dictionary(), "record": self.record}

    def __repr__(self):
        return f"<Run: info={self.info!r}, data={self.data!r}>"


def _project_dir(path, what):
    if path is None:
        return os.getcwd()
    if not isinstance(path, (str, bytes, os.PathLike)):
        raise TypeError(f"{what}: path is {type(path).__name__}; expected a path or None")
    path = os.fspath(path)
    if isinstance(path, bytes):
        path = os.fsdecode(path)
    return os.path.abspath(path)


def _run_ref(run_id, what):
    if isinstance(run_id, bool) or not isinstance(run_id, (str, int)) or run_id == "":
        raise TypeError(f"{what}: run_id is {run_id!r}; expected a run id (p-3), number or uid")
    return str(run_id)


def _sort(order_by):
    """The one clause of MLflow's order_by list ("metrics.loss DESC"), for trail's engine, which
    reads the key and the direction itself and sorts by one key."""
    if order_by is None:
        return ""
    if isinstance(order_by, str):
        order_by = [order_by]
    if not isinstance(order_by, (list, tuple)) or not all(isinstance(k, str) for k in order_by):
        raise TypeError(f"search_runs: order_by is {order_by!r}; expected a list of str such as "
                        f"['metrics.loss ASC']")
    clauses = [k.strip() for k in order_by if k.strip()]
    if not clauses:
        return ""
    if len(clauses) > 1:
        raise ValueError(f"search_runs: order_by has {len(clauses)} keys ({', '.join(map(repr, clauses))}); trail "
                         f"sorts by one key (ties: the highest run number first)")
    return clauses[0]


def _ms(iso):
    """Milliseconds since the epoch of an ISO-8601 time ("2026-11-26T07:29:37.021Z"); None if unreadable."""
    if not isinstance(iso, str) or not iso:
        return None
    try:
        return int(round(datetime.fromisoformat(iso.replace("Z", "+00:00")).timestamp() * 1000))
    except ValueError:
        return None


def _number(value):
    return value if isinstance(value, (int, float)) and not isinstance(value, bool) else None


def _make_run(rec, summaries, ended_ms):
    status = str(rec.get("status") or "")
    user = rec.get("user")
    if isinstance(user, dict):  # a record's user is {name, email}; a listing's is the name
        user = user.get("name")
    start = _ms(rec.get("started"))
    duration = _number(rec.get("duration_s"))
    end = ended_ms
    if end is None and start is not None and duration is not None and math.isfinite(duration):
        end = start + int(round(duration * 1000))
    info = RunInfo(run_id=rec.get("id"), run_name=rec.get("name") or None, status=_STATUS.get(status, status.upper()),
                   start_time=start, end_time=end, user_id=user or None,
                   lifecycle_stage="deleted" if rec.get("archived") else "active", number=rec.get("number"),
                   trail_status=status, duration_s=duration, exit_code=rec.get("exit_code"),
                   parent=rec.get("parent") or None)
    summaries = summaries if isinstance(summaries, dict) else {}
    metrics = {k: s.get("last") for k, s in summaries.items() if isinstance(s, dict) and "last" in s}
    tags = {k: v if isinstance(v, str) else str(v) for k, v in (rec.get("tags") or {}).items()}
    info.experiment_id = tags.get("experiment", "0")
    derived = rec.get("derived")
    if derived is None:
        derived = (rec.get("metrics") or {}).get("derived") or {}
    derived = {k: v for k, v in derived.items() if _number(v) is not None}
    data = RunData(dict(rec.get("params") or {}), metrics, tags, summaries, derived)
    return Run(info, data, rec)


def _with_experiments(where, experiments):
    """`where` narrowed to the runs of these experiments (the tag set_experiment sets)."""
    names = [str(e) for e in experiments]
    quoted = ", ".join("'" + n.replace("'", "''") + "'" for n in names if n != "0")
    clauses = []
    if quoted:
        clauses.append(f"tags.experiment IN ({quoted})")
    if "0" in names:  # MLflow's default experiment: runs no experiment was set for
        clauses.append("tags.experiment IS NULL")
    clause = "(" + " or ".join(clauses) + ")"
    return f"({where}) and {clause}" if where.strip() else clause


def search_runs(where="", order_by=None, max_results=None, include_archived=False, output_format="pandas", path=None,
                *, filter_string=None, metric_summaries=False, experiment_ids=None, experiment_names=None):
    """The runs of the project at `path` (default: the one containing the working directory)
    that `where` selects, as `trail ls --where WHERE --sort KEY` lists them: newest first, or by
    `order_by` (MLflow's list form, ["metrics.loss ASC"]; one key, trail's engine sorts by one),
    at most `max_results`, archived runs only with include_archived.

    `where` is trail's query language (docs/query.md), MLflow's search syntax plus or/not/();
    `filter_string` is MLflow's name for it. output_format "pandas" gives a DataFrame with
    MLflow's columns (run_id, run_name, status, start_time, end_time, params.K, metrics.K, tags.K)
    and trail's (number, trail_status, user, duration_s, exit_code, parent, archived, derived.K,
    context.K, model.K); metric_summaries=True adds min(metrics.K), max(metrics.K) and
    count(metrics.K). "list" gives Run entities. A bad query raises ValueError with the
    engine's message. experiment_ids and experiment_names select the runs that
    set_experiment(name) (or start_run(experiment_id=)) tagged `experiment: name`; trail's
    experiments are names, so both lists hold names, and MLflow's default experiment "0" selects
    the runs with no experiment tag. Neither given: every run of the project."""
    experiments = []
    for name, value in (("experiment_ids", experiment_ids), ("experiment_names", experiment_names)):
        if value is not None and not isinstance(value, (list, tuple, str)):
            raise TypeError(f"search_runs: {name} is {type(value).__name__}; expected a list")
        experiments += [value] if isinstance(value, str) else list(value or [])
    if filter_string is not None:
        if where:
            raise TypeError("search_runs: give where or filter_string, not both")
        where = filter_string
    if where is None:
        where = ""
    if not isinstance(where, str):
        raise TypeError(f"search_runs: where is {type(where).__name__}; expected a query string")
    if experiments:
        where = _with_experiments(where, experiments)
    sort = _sort(order_by)
    if max_results is None:
        limit = -1
    elif isinstance(max_results, bool) or not isinstance(max_results, int) or max_results < 0:
        raise ValueError(f"search_runs: max_results is {max_results!r}; expected a non-negative int or None")
    else:
        limit = max_results
    if output_format not in _FORMATS:
        raise ValueError(f"search_runs: output_format is {output_format!r}; expected one of {', '.join(_FORMATS)}")
    directory = _project_dir(path, "search_runs")
    if output_format == "list":
        rows = _trail._search_rows(directory, where, sort, False, limit, bool(include_archived))
        return [_make_run(row, row.get("metrics"), None) for row in rows]
    try:
        import pandas
    except ImportError as e:
        raise ImportError(f"search_runs: a DataFrame needs pandas ({e}); output_format='list' needs none") from e
    columns = {}
    for name, kind, values, mask in _trail._search_columns(directory, where, sort, False, limit,
                                                            bool(include_archived), bool(metric_summaries)):
        if kind == "datetime":
            values = pandas.Series(values.view("datetime64[ns]")).dt.tz_localize("UTC")
        elif kind == "Int64":
            values = pandas.arrays.IntegerArray(values, mask)
        columns[name] = values
    return pandas.DataFrame(columns)


def get_run(run_id, path=None):
    """The run `run_id` (id, number or uid) as a Run: .info, .data (params, last metric values,
    tags, summaries, derived) and .record, the whole record as a dict (context, environment,
    code, data, artifacts, ...). A run still in progress gives what is known at its start,
    status RUNNING. FileNotFoundError names a run the project does not have."""
    rec = _trail._get_run(_project_dir(path, "get_run"), _run_ref(run_id, "get_run"))
    metrics = rec.get("metrics") if isinstance(rec.get("metrics"), dict) else {}
    return _make_run(rec, metrics.get("summary"), _ms(rec.get("ended")))


def get_metric_history(run_id, key, output_format="list", path=None):
    """Every point of metric `key` of run `run_id`, in the order reported: a list of Metric(key,
    value, timestamp in ms, step), as MLflow gives, or with output_format="numpy" a dict of
    arrays {"step": int64, "time": float64 unix seconds, "value": float64}, read by the library
    without a Python object per point. Of a run in progress: the points written so far. A metric
    the run never reported gives no points."""
    if not isinstance(key, str) or not key:
        raise TypeError(f"get_metric_history: key is {key!r}; expected a metric name")
    if output_format not in ("list", "numpy"):
        raise ValueError(f"get_metric_history: output_format is {output_format!r}; expected list or numpy")
    step, time, value = _trail._metric_history(_project_dir(path, "get_metric_history"),
                                               _run_ref(run_id, "get_metric_history"), key)
    if output_format == "numpy":
        return {"step": step, "time": time, "value": value}
    return [Metric(key, v, int(round(t * 1000)) if math.isfinite(t) else None, s)
            for s, t, v in zip(step.tolist(), time.tolist(), value.tolist())]


def list_run_keys(path=None):
    """Every key the project's runs use, with how many runs have it: {"params": {key: runs},
    "metrics": ..., "tags": ..., "derived": ..., "context": ..., "model": ...}."""
    return _trail._run_keys(_project_dir(path, "list_run_keys"))

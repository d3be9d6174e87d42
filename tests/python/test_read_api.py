"""The read API (trail.search_runs, get_run, get_metric_history, list_run_keys): runs recorded
with the client and the CLI come back as MLflow-shaped DataFrames and entities, through the
library (the same query engine as `trail ls`).

One project for the whole file (recording is the slow part): four runs recorded by one client
script, one more by `trail run`, one archived with `trail rm`.
"""
import json
import math
import sys

import pytest

from conftest import MODULE_PATH, git, make_git_repo, python, record, trail, write

if MODULE_PATH not in sys.path:
    sys.path.insert(0, MODULE_PATH)
import trail as client  # noqa: E402 (the built module, as the scripts import it)

pandas = pytest.importorskip("pandas")
numpy = pytest.importorskip("numpy")

RECORD = r"""
import trail
runs = [
    ("first", {"lr": 0.1, "opt": "adam", "epochs": 3, "amsgrad": True}, {"stage": "dev"}, "finished"),
    ("second", {"lr": 0.01, "opt": "sgd", "epochs": 5, "amsgrad": False}, {}, "failed"),
    ("third", {"lr": 0.5, "opt": "adam", "epochs": 3}, {"stage": "prod"}, "killed"),
    ("fourth", {"lr": 1.0, "opt": "adam", "epochs": 1}, {}, "finished"),
]
for i, (name, params, tags, status) in enumerate(runs):
    trail.start_run(name=name, params=params, tags=tags)
    for step in range(5):
        trail.log_metric("loss", (i + 1) / (step + 1), step=step)
        trail.log_metric("val_loss", (i + 1) / (step + 1) + 0.25, step=step)
    if i == 0:
        trail.log_metric("acc", 0.5, step=0)
    trail.end_run(status)
"""

LOSS = {f"p-{i + 1}": [(i + 1) / (step + 1) for step in range(5)] for i in range(4)}


@pytest.fixture(scope="module")
def repo(tmp_path_factory):
    repo = make_git_repo(tmp_path_factory.mktemp("read") / "shop")
    trail("init", "--name", "p", cwd=repo)
    git("add", ".trail/config.yaml", ".trail/.gitignore", cwd=repo)
    git("commit", "-q", "-m", "trail init", cwd=repo)
    script = write(repo, "record.py", RECORD)
    python(script, cwd=repo)
    trail("rm", "p-4", cwd=repo)  # archived: listed only with include_archived
    write(repo, "exit3.py", "import sys\nsys.exit(3)\n")
    trail("run", "--tag", "stage=cli", "--tag", "experiment=fraud", "--", sys.executable, "exit3.py", cwd=repo,
          check=False)
    return repo


def test_dataframe_columns_dtypes_and_values(repo):
    df = client.search_runs(path=repo)
    assert list(df.run_id) == ["p-5", "p-3", "p-2", "p-1"]  # newest first, the archived p-4 left out
    assert list(df.columns[:12]) == ["run_id", "run_name", "status", "start_time", "end_time", "number",
                                     "trail_status", "user", "duration_s", "exit_code", "parent", "archived"]
    assert list(df.status) == ["FAILED", "KILLED", "FAILED", "FINISHED"]
    assert list(df.trail_status) == ["failed", "killed", "failed", "finished"]
    assert list(df.run_name[1:]) == ["third", "second", "first"] and df.run_name[0] is None
    assert list(df.number) == [5, 3, 2, 1]
    assert str(df.start_time.dtype) == "datetime64[ns, UTC]" and str(df.end_time.dtype) == "datetime64[ns, UTC]"
    assert df.dtypes["number"] == numpy.int64 and df.dtypes["duration_s"] == numpy.float64
    assert str(df.dtypes["exit_code"]) == "Int64" and df.exit_code[0] == 3
    assert df.dtypes["params.lr"] == numpy.float64 and df.dtypes["metrics.loss"] == numpy.float64
    assert df.dtypes["params.opt"] == object and df.dtypes["tags.stage"] == object
    assert df.dtypes["archived"] == bool and not df.archived.any()
    assert not df.user.isna().any()
    # A run without the key: NaN for numbers, None for text. p-5 (trail run) has no params.
    assert math.isnan(df["params.lr"][0]) and df["params.opt"][0] is None
    assert list(df["params.lr"][1:]) == [0.5, 0.01, 0.1]
    assert list(df["params.opt"][1:]) == ["adam", "sgd", "adam"]
    assert list(df["tags.stage"]) == ["cli", "prod", None, "dev"]
    # Bools in some runs, missing in others: kept as Python objects.
    assert list(df["params.amsgrad"][1:]) == [None, False, True]
    for i, run_id in enumerate(df.run_id[1:], start=1):
        assert df["metrics.loss"][i] == LOSS[run_id][-1]  # the last value, as MLflow's
        assert df["metrics.val_loss"][i] == LOSS[run_id][-1] + 0.25
    assert list(df["metrics.acc"].isna()) == [True, True, True, False]
    assert "derived.val_loss_min" in df.columns and "context.python" in df.columns
    # Times are the record's, end = start + duration.
    rec = record(repo, "p-1")
    assert df.start_time[3] == pandas.Timestamp(rec["started"])
    assert df.end_time[3] == pandas.Timestamp(rec["started"]) + pandas.to_timedelta(rec["duration_s"], unit="s")


def test_where_order_by_max_results_and_archived(repo):
    adam = client.search_runs("params.opt = 'adam'", path=repo)
    assert list(adam.run_id) == ["p-3", "p-1"]
    by_loss = client.search_runs(order_by=["metrics.loss DESC"], path=repo)
    assert list(by_loss.run_id) == ["p-3", "p-2", "p-1", "p-5"]  # runs without the metric last
    asc = client.search_runs(where="metrics.loss > 0", order_by=["metrics.loss ASC"], max_results=2, path=repo)
    assert list(asc.run_id) == ["p-1", "p-2"]
    assert list(client.search_runs(filter_string="tags.stage = 'prod'", path=repo).run_id) == ["p-3"]
    # Experiments are set_experiment's tag; MLflow's default experiment "0" is the runs without one.
    assert list(client.search_runs(experiment_ids=["0"], path=repo).run_id) == ["p-3", "p-2", "p-1"]
    assert list(client.search_runs(experiment_names=["fraud"], path=repo).run_id) == ["p-5"]
    assert list(client.search_runs("tags.stage = 'cli'", experiment_ids=["0"], path=repo).run_id) == []
    assert len(client.search_runs(experiment_ids=["0", "fraud"], path=repo)) == 4
    assert client.get_run("p-5", path=repo).info.experiment_id == "fraud"
    assert client.get_run("p-1", path=repo).info.experiment_id == "0"
    assert list(client.search_runs(order_by=["params.lr"], path=repo).run_id) == ["p-2", "p-1", "p-3", "p-5"]
    every = client.search_runs(include_archived=True, path=repo)
    assert list(every.run_id) == ["p-5", "p-4", "p-3", "p-2", "p-1"]
    assert list(every.archived) == [False, True, False, False, False]
    none = client.search_runs("params.lr > 100", path=repo)
    assert len(none) == 0 and "run_id" in none.columns
    assert len(client.search_runs(max_results=0, path=repo)) == 0


def test_metric_summaries(repo):
    df = client.search_runs("params.opt = 'sgd'", metric_summaries=True, path=repo)
    assert [c for c in df.columns if "metrics." in c] == [
        "metrics.loss", "min(metrics.loss)", "max(metrics.loss)", "count(metrics.loss)", "metrics.val_loss",
        "min(metrics.val_loss)", "max(metrics.val_loss)", "count(metrics.val_loss)"]
    assert df["min(metrics.loss)"][0] == min(LOSS["p-2"]) and df["max(metrics.loss)"][0] == max(LOSS["p-2"])
    assert df["count(metrics.loss)"][0] == 5


def test_list_form_has_mlflow_entities(repo):
    runs = client.search_runs("params.opt = 'adam'", output_format="list", path=repo)
    assert [r.info.run_id for r in runs] == ["p-3", "p-1"]
    first = runs[1]
    assert first.info.status == "FINISHED" and first.info.run_name == "first" and first.info.lifecycle_stage == "active"
    assert first.data.params == {"lr": 0.1, "opt": "adam", "epochs": 3, "amsgrad": True}
    assert first.data.metrics == {"loss": LOSS["p-1"][-1], "val_loss": LOSS["p-1"][-1] + 0.25, "acc": 0.5}
    assert first.data.tags == {"stage": "dev"}
    assert first.data.summaries["loss"]["min"] == min(LOSS["p-1"])
    assert isinstance(first.info.start_time, int) and first.info.end_time >= first.info.start_time
    assert first.to_dictionary()["data"]["params"]["lr"] == 0.1


def test_get_run_returns_entity_and_record(repo):
    run = client.get_run("p-2", path=repo)
    rec = record(repo, "p-2")
    assert run.info.run_id == "p-2" and run.info.status == "FAILED" and run.info.trail_status == "failed"
    assert run.info.user_id == "Ann Lee"
    assert run.data.params == rec["params"]
    assert run.data.metrics == {k: s["last"] for k, s in rec["metrics"]["summary"].items()}
    assert run.data.summaries["loss"]["count"] == 5
    assert run.record["uid"] == rec["uid"] and run.record["environment"]["os"] == rec["environment"]["os"]
    assert run.to_dictionary()["record"]["id"] == "p-2"
    by_number = client.get_run(2, path=repo)
    assert by_number.info.run_id == "p-2"
    assert client.get_run(rec["uid"], path=repo).info.run_id == "p-2"
    cli = client.get_run("p-5", path=repo)
    assert cli.data.tags == {"stage": "cli", "experiment": "fraud"} and cli.info.exit_code == 3


def test_get_metric_history_equals_logged(repo):
    history = client.get_metric_history("p-3", "loss", path=repo)
    assert [(m.key, m.step, m.value) for m in history] == [("loss", s, v) for s, v in enumerate(LOSS["p-3"])]
    assert all(isinstance(m.timestamp, int) and m.timestamp > 1.7e12 for m in history)
    arrays = client.get_metric_history("p-3", "val_loss", output_format="numpy", path=repo)
    assert arrays["step"].dtype == numpy.int64 and arrays["value"].dtype == numpy.float64
    assert list(arrays["step"]) == [0, 1, 2, 3, 4]
    assert list(arrays["value"]) == [v + 0.25 for v in LOSS["p-3"]]
    assert arrays["time"].dtype == numpy.float64 and (arrays["time"] > 1.7e9).all()
    assert client.get_metric_history("p-3", "no_such_metric", path=repo) == []  # as MLflow
    assert len(client.get_metric_history("p-3", "no_such_metric", output_format="numpy", path=repo)["step"]) == 0


def test_list_run_keys(repo):
    keys = client.list_run_keys(path=repo)
    assert keys["params"]["lr"] == 4 and keys["metrics"]["acc"] == 1 and keys["tags"]["stage"] == 3


def test_errors_are_clear(repo, tmp_path):
    with pytest.raises(ValueError, match=r"^search_runs: bad query at column \d+"):
        client.search_runs("metrics.loss < and params.lr > 1", path=repo)
    with pytest.raises(ValueError, match=r"^search_runs: bad sort key at column \d+"):
        client.search_runs(order_by=["metrics.loss SIDEWAYS"], path=repo)
    with pytest.raises(ValueError, match=r"order_by has 2 keys .*sorts by one key"):
        client.search_runs(order_by=["metrics.loss ASC", "params.lr DESC"], path=repo)
    with pytest.raises(ValueError, match="output_format"):
        client.search_runs(output_format="arrow", path=repo)
    with pytest.raises(ValueError, match="max_results"):
        client.search_runs(max_results=-1, path=repo)
    with pytest.raises(TypeError, match="where"):
        client.search_runs(3, path=repo)
    with pytest.raises(FileNotFoundError, match="p-99"):
        client.get_run("p-99", path=repo)
    with pytest.raises(FileNotFoundError, match="p-99"):
        client.get_metric_history("p-99", "loss", path=repo)
    with pytest.raises(TypeError, match="run_id"):
        client.get_run(None, path=repo)
    with pytest.raises(client.TrailError, match="not inside a Git repository"):
        client.search_runs(path=tmp_path)


LIVE = r"""
import json
import trail
with trail.start_run(name="live", params={"lr": 0.3}) as run:
    trail.log_metric("loss", 1.0)
    trail.log_metric("loss", 0.5)
    trail.flush()
    history = trail.get_metric_history(run.id, "loss")
    df = trail.search_runs()
    listed = trail.search_runs(output_format="list")
    got = trail.get_run(run.id)
    print(json.dumps({"ids": list(df.run_id), "status": list(df.status), "lr": list(df["params.lr"]),
                      "list": [r.info.status for r in listed], "get": [got.info.run_id, got.info.status,
                                                                       got.data.params.get("lr")],
                      "history": [(m.step, m.value) for m in history]}))
print(json.dumps([trail.get_run(run.id).info.status, list(trail.search_runs().status)]))
"""


def test_runs_in_progress_are_listed_and_read(project):
    script = write(project, "live.py", LIVE)
    lines = python(script, cwd=project).stdout.strip().splitlines()
    during, after = json.loads(lines[-2]), json.loads(lines[-1])
    assert during == {"ids": ["p-1"], "status": ["RUNNING"], "lr": [0.3], "list": ["RUNNING"],
                      "get": ["p-1", "RUNNING", 0.3], "history": [[0, 1.0], [1, 0.5]]}
    assert after == ["FINISHED", ["FINISHED"]]

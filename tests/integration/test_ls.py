"""trail ls: listing, filtering (MLflow syntax), sorting and formats."""
import csv
import datetime
import io
import json

import pytest

from conftest import PYTHON, init_project, ls_ids, ls_json, make_git_repo, trail, trail_popen, wait_for, write_script

METRIC_WRITER = """
import json, os, sys
values = json.loads(sys.argv[1])
with open(os.environ["TRAIL_METRICS"], "a") as f:
    f.write(json.dumps(values) + "\\n")
sys.exit(int(sys.argv[2]) if len(sys.argv) > 2 else 0)
"""

# number: (params, metrics, tags, exit code)
RUNS = {
    1: ({"lr": "0.1", "opt": "adam"}, {"loss": 0.5, "acc": 0.8}, {"stage": "draft"}, 0),
    2: ({"lr": "0.01", "opt": "sgd"}, {"loss": 0.3}, {"stage": "prod"}, 0),
    3: ({"lr": "0.001", "opt": "adam"}, {}, {}, 2),
    4: ({"lr": "0.05", "opt": "rmsprop"}, {"loss": 0.9, "acc": 0.4}, {"stage": "prod", "team": "ml"}, 0),
    5: ({"lr": "1", "opt": "adamw"}, {"loss": 0.1}, {}, 0),
}


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    base = tmp_path_factory.mktemp("ls")
    repo = init_project(make_git_repo(base / "shop"), "p")
    script = write_script(base, "m.py", METRIC_WRITER)
    for n, (params, metrics, tags, code) in RUNS.items():
        args = ["run", "--no-arg-params"]
        for k, v in params.items():
            args += ["-p", f"{k}={v}"]
        for k, v in tags.items():
            args += ["--tag", f"{k}={v}"]
        proc = trail(*args, "--", PYTHON, script, json.dumps(metrics), str(code), cwd=repo, check=False)
        assert proc.returncode == code, proc.stderr
        assert f"recording p-{n}" in proc.stderr
    return repo


def table(text):
    lines = [l for l in text.splitlines() if l.strip()]
    return [l.split() for l in lines]


def test_table_newest_first_with_varying_columns(runs):
    proc = trail("ls", cwd=runs)
    rows = table(proc.stdout)
    header = rows[0]
    assert header[:4] == ["id", "status", "started", "duration"]
    for col in ("lr", "opt", "loss", "acc"):
        assert col in header, header
    ids = [r[0] for r in rows[1:]]
    assert ids == ["p-5", "p-4", "p-3", "p-2", "p-1"]
    by_id = {l.split()[0]: l for l in proc.stdout.splitlines()[1:]}
    assert "failed" in by_id["p-3"] and "finished" in by_id["p-2"]
    assert "rmsprop" in by_id["p-4"] and "0.9" in by_id["p-4"]
    assert "sgd" in by_id["p-2"] and "0.3" in by_id["p-2"]


def test_constant_params_are_not_columns(tmp_path):
    repo = init_project(make_git_repo(tmp_path / "shop"), "p")
    for lr in ("0.1", "0.2"):
        trail("run", "--no-arg-params", "-p", "same=1", "-p", f"lr={lr}", "--", "true", cwd=repo)
    header = table(trail("ls", cwd=repo).stdout)[0]
    assert "lr" in header and "same" not in header


@pytest.mark.parametrize("where, expected", [
    ("metrics.loss < 0.4", ["p-5", "p-2"]),
    ("metrics.loss >= 0.5", ["p-4", "p-1"]),
    ("params.lr >= 0.05", ["p-5", "p-4", "p-1"]),
    ("params.opt = 'adam'", ["p-3", "p-1"]),
    ("params.opt != 'adam'", ["p-5", "p-4", "p-2"]),
    ("params.opt LIKE 'adam%'", ["p-5", "p-3", "p-1"]),
    ("params.opt IN ('sgd', 'rmsprop')", ["p-4", "p-2"]),
    ("metrics.loss < 0.2 or tags.stage = 'draft'", ["p-5", "p-1"]),
    ("not tags.stage = 'prod'", ["p-5", "p-3", "p-1"]),
    ("(params.opt = 'adam' or params.opt = 'sgd') and metrics.loss < 0.6", ["p-2", "p-1"]),
    ("params.opt = 'adam' or params.opt = 'sgd' and metrics.loss < 0.6", ["p-3", "p-2", "p-1"]),
    ("tags.stage = 'prod'", ["p-4", "p-2"]),
    ("tags.team = 'ml'", ["p-4"]),
    ("attributes.status = 'failed'", ["p-3"]),
    ("status = 'finished' and metrics.loss > 0.2", ["p-4", "p-2", "p-1"]),
    ("metrics.acc > 0", ["p-4", "p-1"]),
    ("metrics.acc < 100", ["p-4", "p-1"]),
    ("metrics.acc IS NULL", ["p-5", "p-3", "p-2"]),
    ("params.opt = 'nothing'", []),
    # MLflow's spellings (issue 19): upper-case statuses, run_id, run_name, IN / NOT IN, ILIKE.
    ("attributes.status = 'FINISHED' and metrics.loss > 0.2", ["p-4", "p-2", "p-1"]),
    ("attributes.status = 'FAILED'", ["p-3"]),
    ("attributes.status != 'Finished'", ["p-3"]),
    ("status IN ('FAILED', 'KILLED')", ["p-3"]),
    ("attributes.status NOT IN ('FINISHED')", ["p-3"]),
    ("attributes.status LIKE 'FAIL%'", ["p-3"]),
    ("attributes.run_id = 'p-2'", ["p-2"]),
    ("run_id IN ('p-1', 'p-4')", ["p-4", "p-1"]),
    ("attributes.run_name IS NULL and metrics.loss < 0.2", ["p-5"]),
    ("params.opt ILIKE 'ADAM%'", ["p-5", "p-3", "p-1"]),
    ("params.opt NOT LIKE 'adam%'", ["p-4", "p-2"]),
    ("tags.team IS NOT NULL", ["p-4"]),
])
def test_where(runs, where, expected):
    assert ls_ids(runs, "--where", where) == expected


def test_where_start_time_in_milliseconds_as_mlflow(runs):
    # MLflow compares attributes.start_time in milliseconds since the epoch; trail's seconds and
    # ISO text keep working.
    rows = json.loads(trail("ls", "--format", "json", cwd=runs).stdout)

    def ms(iso):
        t = datetime.datetime.strptime(iso, "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=datetime.timezone.utc)
        return round(t.timestamp() * 1000)

    started = {r["id"]: ms(r["started"]) for r in rows}
    pivot = started["p-3"]
    at_or_after = [r["id"] for r in rows if started[r["id"]] >= pivot]
    assert "p-3" in at_or_after and "p-1" not in at_or_after
    assert ls_ids(runs, "--where", f"attributes.start_time >= {pivot}") == at_or_after
    assert ls_ids(runs, "--where", f"start_time < {pivot}") == [i for i in started if i not in at_or_after]
    assert ls_ids(runs, "--where", f"started >= {pivot}.0") == at_or_after
    secs = pivot // 1000
    assert ls_ids(runs, "--where", f"start_time >= {secs}") == [r["id"] for r in rows if started[r["id"]] >= secs * 1000]
    iso = next(r["started"] for r in rows if r["id"] == "p-3")
    assert ls_ids(runs, "--where", f"attributes.start_time >= '{iso}'") == at_or_after
    assert ls_ids(runs, "--where", f"attributes.start_time < {pivot - 86400 * 1000}") == []


def test_where_table_says_no_runs_match(runs):
    proc = trail("ls", "--where", "params.opt = 'nothing'", cwd=runs)
    assert proc.returncode == 0
    assert "p-" not in proc.stdout


@pytest.mark.parametrize("bad", ["metrics.loss <", "metrics.loss < 'x' and", "(params.lr = 1", "foo bar",
                                 "params.lr = = 1"])
def test_malformed_where_is_one_line_error_with_column(runs, bad):
    proc = trail("ls", "--where", bad, cwd=runs, check=False)
    assert proc.returncode != 0
    err = proc.stderr.strip()
    assert len(err.splitlines()) == 1, err
    assert "column" in err, err
    assert proc.stdout == ""


def test_sort_by_metric_and_desc(runs):
    # runs without the metric go last either way
    assert ls_ids(runs, "--sort", "metrics.loss") == ["p-5", "p-2", "p-1", "p-4", "p-3"]
    assert ls_ids(runs, "--sort", "metrics.loss", "--desc") == ["p-4", "p-1", "p-2", "p-5", "p-3"]
    assert ls_ids(runs, "--sort", "params.lr") == ["p-3", "p-2", "p-4", "p-1", "p-5"]
    rows = table(trail("ls", "--sort", "metrics.loss", "--columns", "id,metrics.loss", cwd=runs).stdout)
    assert [r[0] for r in rows[1:]] == ["p-5", "p-2", "p-1", "p-4", "p-3"]


def test_columns(runs):
    rows = table(trail("ls", "--columns", "id,params.lr", cwd=runs).stdout)
    assert rows[0] == ["id", "params.lr"]
    assert rows[1:] == [["p-5", "1"], ["p-4", "0.05"], ["p-3", "0.001"], ["p-2", "0.01"], ["p-1", "0.1"]]
    proc = trail("ls", "--columns", "id,bogus", cwd=runs, check=False)
    assert proc.returncode != 0 and "bogus" in proc.stderr


def test_limit(runs):
    assert ls_ids(runs, "--limit", "2") == ["p-5", "p-4"]
    rows = table(trail("ls", "--limit", "1", cwd=runs).stdout)
    assert [r[0] for r in rows[1:]] == ["p-5"]
    assert ls_ids(runs, "--where", "tags.stage = 'prod'", "--limit", "1") == ["p-4"]


def test_csv(runs):
    # csv's default columns are stable (issue 19): the fixed attributes, then every param, metric
    # and tag key of the listed runs, sorted, under their full names, whatever varies.
    proc = trail("ls", "--format", "csv", cwd=runs)
    rows = list(csv.DictReader(io.StringIO(proc.stdout)))
    assert [r["id"] for r in rows] == ["p-5", "p-4", "p-3", "p-2", "p-1"]
    fixed = ["id", "number", "name", "status", "started", "duration_s", "user"]
    keys = ["params.lr", "params.opt", "metrics.acc", "metrics.loss", "tags.stage", "tags.team"]
    assert list(rows[0].keys()) == fixed + keys
    by = {r["id"]: r for r in rows}
    assert by["p-3"]["status"] == "failed" and by["p-3"]["number"] == "3"
    assert by["p-4"]["params.opt"] == "rmsprop" and by["p-4"]["tags.team"] == "ml"
    assert float(by["p-2"]["metrics.loss"]) == 0.3
    assert by["p-3"]["metrics.loss"] == ""
    assert by["p-2"]["started"].endswith("Z") and float(by["p-2"]["duration_s"]) >= 0
    # One run alone: the same fixed columns, its own keys (nothing dropped for not varying).
    one = list(csv.reader(io.StringIO(trail("ls", "--format", "csv", "--where", "id = 'p-5'", cwd=runs).stdout)))
    assert one[0] == fixed + ["params.lr", "params.opt", "metrics.loss"]
    # No runs: the fixed header alone.
    none = trail("ls", "--format", "csv", "--where", "id = 'nope'", cwd=runs).stdout
    assert none == ",".join(fixed) + "\n"
    proc = trail("ls", "--format", "csv", "--columns", "id,params.lr,metrics.loss", "--where",
                 "metrics.loss < 0.4", cwd=runs)
    rows = list(csv.reader(io.StringIO(proc.stdout)))
    assert rows == [["id", "params.lr", "metrics.loss"], ["p-5", "1", "0.1"], ["p-2", "0.01", "0.3"]]


def test_json_columns(runs):
    # --columns makes json rows flat objects with exactly those keys, in that order.
    data = json.loads(trail("ls", "--format", "json", "--columns", "id,metrics.loss,params.opt,tags.stage",
                            "--where", "metrics.loss < 0.4", cwd=runs).stdout)
    assert data == [{"id": "p-5", "metrics.loss": 0.1, "params.opt": "adamw", "tags.stage": None},
                    {"id": "p-2", "metrics.loss": 0.3, "params.opt": "sgd", "tags.stage": "prod"}]
    assert list(data[0].keys()) == ["id", "metrics.loss", "params.opt", "tags.stage"]
    bad = trail("ls", "--format", "json", "--columns", "id,bogus", cwd=runs, check=False)
    assert bad.returncode == 1 and "unknown column 'bogus'" in bad.stderr and bad.stdout == ""


def test_json(runs):
    data = ls_json(runs)
    assert [r["id"] for r in data] == ["p-5", "p-4", "p-3", "p-2", "p-1"]
    for r in data:
        for field in ("id", "status", "params", "metrics", "tags"):
            assert field in r, (field, r)
    by = {r["id"]: r for r in data}
    assert by["p-1"]["params"] == {"lr": 0.1, "opt": "adam"}
    assert by["p-5"]["params"]["lr"] == 1
    assert by["p-1"]["metrics"]["loss"]["last"] == 0.5
    assert by["p-4"]["tags"] == {"stage": "prod", "team": "ml"}
    assert by["p-3"]["status"] == "failed" and by["p-3"]["exit_code"] == 2
    assert by["p-3"]["metrics"] in ({}, None)


def _display_width(text):
    import unicodedata
    return sum(0 if unicodedata.combining(c) or c in "\u200b\ufe0f" else
               2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def test_table_aligns_cjk_emoji_and_combining_marks(project):
    # Cells are padded by display width (issue 19): with the last column numeric (right-aligned),
    # every line of an aligned table is equally wide on a terminal.
    for i, model in enumerate(["学習データ", "🚀rocket", "cafe\u0301", "abc"]):
        trail("run", "--no-arg-params", "-p", f"model={model}", "-p", f"n={i * 1000}", "--", PYTHON, "-c", "0",
              cwd=project)
    lines = trail("ls", "--columns", "id,params.model,params.n", cwd=project).stdout.splitlines()
    assert len(lines) == 5 and "学習データ" in "\n".join(lines)
    widths = {_display_width(l) for l in lines}
    assert len(widths) == 1, lines
    # The text column starts at the same display column on every line.
    starts = {_display_width(l[:l.index(m)]) for l, m in zip(lines[1:], ["abc", "cafe", "🚀", "学"])}
    assert len(starts) == 1, lines


def test_ls_empty_project(project):
    proc = trail("ls", cwd=project)
    assert proc.returncode == 0
    assert proc.stdout.strip() == ""
    assert ls_json(project) == []


def test_run_in_progress_is_listed_as_running(project, tmp_path):
    trail("run", "-p", "lr=0.1", "--", "true", cwd=project)
    go = tmp_path / "go"
    ready = tmp_path / "ready"
    code = ("import os, sys, time\nopen(sys.argv[1], 'w').close()\n"
            "while not os.path.exists(sys.argv[2]): time.sleep(0.01)\n")
    proc = trail_popen("run", "--no-arg-params", "-p", "lr=0.2", "--", PYTHON, "-c", code, str(ready), str(go),
                       cwd=project)
    try:
        wait_for(lambda: ready.exists() or proc.poll() is not None, timeout=20, what="child ready")
        listed = ls_json(project)
        assert [(r["id"], r["status"]) for r in listed] == [("p-2", "running"), ("p-1", "finished")]
        assert listed[0]["params"] == {"lr": 0.2}
        rows = table(trail("ls", cwd=project).stdout)
        assert [r[:2] for r in rows[1:]] == [["p-2", "running"], ["p-1", "finished"]]
        # it is not on the branch yet, so filters and sorts (which read the branch) leave it out
        assert ls_ids(project, "--where", "params.lr > 0") == ["p-1"]
        assert ls_ids(project, "--limit", "1") == ["p-2"]
    finally:
        go.touch()
        proc.communicate(timeout=30)
    assert proc.returncode == 0
    assert [(r["id"], r["status"]) for r in ls_json(project)] == [("p-2", "finished"), ("p-1", "finished")]

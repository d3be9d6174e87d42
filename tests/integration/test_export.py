"""trail export: the runs as CSV / JSON Lines tables, read back with pandas as a user would."""
import json
import math
import os

import pandas as pd
import pytest

from conftest import PYTHON, init_project, make_git_repo, trail, write_script

SERIES_WRITER = """
import json, os
with open(os.environ["TRAIL_METRICS"], "a") as f:
    for line in LINES:
        f.write(json.dumps(line) + "\\n")
"""

NOTE = 'héllo, "wörld"\u00a0日本'


@pytest.fixture(scope="module")
def project(tmp_path_factory):
    """Three runs: NaN/inf points, unicode and commas/quotes in values, tags, an empty run."""
    base = tmp_path_factory.mktemp("export")
    repo = init_project(make_git_repo(base / "shop"), "p")
    def script(lines):
        return write_script(base, f"s{len(lines)}.py", "nan, inf = float('nan'), float('inf')\n" + f"LINES = {lines!r}\n"
                            + SERIES_WRITER)
    lines1 = [{"step": 0, "loss": 1.5, "acc": 0.5}, {"step": 1, "loss": float("nan"), "acc": 0.75},
              {"step": 2, "loss": float("inf"), "acc": 0.875}]
    trail("run", "--no-arg-params", "-p", "lr=0.1", "-p", f"note={NOTE}", "-p", "epochs=3", "--tag",
          "team=ü, \"x\"", "--", PYTHON, script(lines1), cwd=repo)
    lines2 = [{"step": 5, "loss": -float("inf")}]
    trail("run", "--no-arg-params", "-p", "lr=0.01", "-p", "opt=sgd", "--tag", "stage=prod", "--", PYTHON, script(lines2),
          cwd=repo)
    trail("run", "--no-arg-params", "-p", "flag=true", "--", PYTHON, "-c", "pass", cwd=repo)
    return repo


@pytest.fixture(scope="module")
def csv_dir(project, tmp_path_factory):
    out = tmp_path_factory.mktemp("out") / "tables"
    proc = trail("export", "-o", out, cwd=project)
    assert "exported 3 runs" in proc.stderr
    return out


def test_folder_has_the_four_tables_and_nothing_else(csv_dir):
    assert sorted(os.listdir(csv_dir)) == ["metrics.csv", "params.csv", "runs.csv", "tags.csv"]


def test_runs_table_has_ls_columns_then_summaries(project, csv_dir):
    runs = pd.read_csv(csv_dir / "runs.csv")
    ls_header = trail("ls", "--format", "csv", cwd=project).stdout.splitlines()[0].split(",")
    cols = list(runs.columns)
    assert cols[:7] == ["id", "number", "name", "status", "started", "duration_s", "user"]
    # Every column of ls's stable CSV is there, in the same order.
    assert [c for c in cols if c in ls_header] == ls_header
    assert {"min(metrics.loss)", "max(metrics.loss)", "count(metrics.loss)"} <= set(cols)
    runs = runs.set_index("id")
    assert list(runs.index) == ["p-3", "p-2", "p-1"]
    assert runs.loc["p-1", "params.note"] == NOTE
    assert runs.loc["p-1", "tags.team"] == 'ü, "x"'
    assert runs["params.lr"].dtype == float and runs.loc["p-2", "params.lr"] == 0.01
    assert runs["number"].dtype.kind == "i"
    assert runs["count(metrics.loss)"].loc["p-1"] == 3
    assert math.isinf(runs.loc["p-1", "metrics.loss"]) and math.isinf(runs.loc["p-2", "metrics.loss"])
    assert runs.loc["p-2", "metrics.loss"] < 0
    assert math.isnan(runs.loc["p-3", "metrics.loss"])  # no such metric: an empty cell


def test_metrics_table_is_every_point_with_nan_and_inf_as_floats(csv_dir):
    m = pd.read_csv(csv_dir / "metrics.csv")
    assert list(m.columns) == ["run_id", "key", "step", "timestamp", "timestamp_ms", "value"]
    assert m["value"].dtype == float and m["step"].dtype.kind == "i" and m["timestamp_ms"].dtype.kind == "i"
    loss = m[(m.run_id == "p-1") & (m.key == "loss")].sort_values("step")
    assert list(loss.step) == [0, 1, 2]
    v = list(loss.value)
    assert v[0] == 1.5 and math.isnan(v[1]) and v[2] == math.inf
    assert list(m[(m.run_id == "p-2")].value) == [-math.inf]
    assert len(m[(m.run_id == "p-1") & (m.key == "acc")]) == 3
    ts = pd.to_datetime(m["timestamp"], utc=True)
    ms = pd.to_datetime(m["timestamp_ms"], unit="ms", utc=True)
    assert (ts == ms).all()


def test_params_and_tags_tables_are_long_and_typed(csv_dir):
    p = pd.read_csv(csv_dir / "params.csv", dtype={"value": str})
    assert list(p.columns) == ["run_id", "key", "value", "type"]
    rows = {(r.run_id, r.key): (r.value, r.type) for r in p.itertuples()}
    assert rows[("p-1", "lr")] == ("0.1", "float")
    assert rows[("p-1", "epochs")] == ("3", "int")
    assert rows[("p-1", "note")] == (NOTE, "string")
    assert rows[("p-3", "flag")] == ("true", "bool")
    t = pd.read_csv(csv_dir / "tags.csv")
    assert list(t.columns) == ["run_id", "key", "value"]
    tags = {(r.run_id, r.key): r.value for r in t.itertuples()}
    assert tags[("p-1", "team")] == 'ü, "x"' and tags[("p-2", "stage")] == "prod"


def test_jsonl_reads_back_with_the_same_values(project, tmp_path):
    out = tmp_path / "j"
    trail("export", "-o", out, "--format", "jsonl", cwd=project)
    assert sorted(os.listdir(out)) == ["metrics.jsonl", "params.jsonl", "runs.jsonl", "tags.jsonl"]
    m = pd.read_json(out / "metrics.jsonl", lines=True)
    loss = m[(m.run_id == "p-1") & (m.key == "loss")].sort_values("step")
    v = list(loss.value)
    assert v[0] == 1.5 and math.isnan(v[1]) and v[2] == math.inf
    for line in (out / "runs.jsonl").read_text(encoding="utf-8").splitlines():
        json.loads(line)  # Python's json reads NaN / Infinity too
    runs = pd.read_json(out / "runs.jsonl", lines=True).set_index("id")
    assert runs.loc["p-1", "params.note"] == NOTE


def test_where_selects_runs_and_dash_writes_one_table(project):
    proc = trail("export", "-o", "-", "--table", "params", "--where", "params.opt = 'sgd'", cwd=project)
    lines = proc.stdout.splitlines()
    assert lines[0] == "run_id,key,value,type"
    assert {l.split(",")[0] for l in lines[1:]} == {"p-2"}
    proc = trail("export", "-o", "-", "--table", "runs", "--format", "jsonl", "-w", "metrics.acc > 0.8", cwd=project)
    assert [json.loads(l)["id"] for l in proc.stdout.splitlines()] == ["p-1"]


def test_parquet_one_liner_works(csv_dir, tmp_path):
    try:
        import pyarrow  # noqa: F401
    except ImportError:
        pytest.skip("no Parquet engine here; the CSV dtypes are what it would write")
    pd.read_csv(csv_dir / "metrics.csv").to_parquet(tmp_path / "metrics.parquet")
    assert len(pd.read_parquet(tmp_path / "metrics.parquet")) > 0


def test_errors_are_one_line_and_leave_nothing(project, tmp_path):
    out = tmp_path / "new"
    proc = trail("export", "-o", out, "--where", "metrics.loss <<< 1", cwd=project, check=False)
    assert proc.returncode != 0 and len(proc.stderr.strip().splitlines()) == 1, proc.stderr
    assert "query" in proc.stderr
    assert not out.exists()

    locked = tmp_path / "locked"
    locked.mkdir()
    os.chmod(locked, 0o500)
    try:
        proc = trail("export", "-o", locked, cwd=project, check=False)
        if os.geteuid() != 0:
            assert proc.returncode != 0 and len(proc.stderr.strip().splitlines()) == 1, proc.stderr
            assert str(locked) in proc.stderr
            assert os.listdir(locked) == []
    finally:
        os.chmod(locked, 0o700)

    a_file = tmp_path / "file"
    a_file.write_text("x")
    proc = trail("export", "-o", a_file, cwd=project, check=False)
    assert proc.returncode != 0 and "not a folder" in proc.stderr
    proc = trail("export", "-o", "-", cwd=project, check=False)
    assert proc.returncode != 0 and "--table" in proc.stderr and proc.stdout == ""
    proc = trail("export", "-o", out, "--format", "parquet", cwd=project, check=False)
    assert proc.returncode != 0 and not out.exists()

"""`trail import mlflow PATH`: an MLflow file store (mlruns/) becomes ordinary trail runs.

One store with several experiments, nested runs, metrics with steps and timestamps, keys with
'/', artifacts in folders, a deleted run and a deleted experiment is written once per module
(mlflow_writer.py, MLflow's FileStore layout) and imported once; the error paths each get a
small store of their own and check that nothing was written.
"""
import json
import os
import shutil

import pytest

from conftest import (branch_commits, init_project, ls_json, make_git_repo, record, sha256_file,
                      trail)
from mlflow_writer import FAILED, FINISHED, KILLED, RUNNING, MlflowStore

T0 = 1764142177000  # ms
MODEL = bytes(range(256)) * 400  # 100 KiB of binary


def write_store(root):
    s = MlflowStore(root)
    default = s.experiment(0, "Default")
    s.run(default, "a" * 32, "solo", start=T0, end=T0 + 60_000,
          params={"lr": "0.01", "epochs": "3", "optimizer": "adam", "use_bn": "True"},
          tags={"mlflow.source.git.commit": "0123456789abcdef0123456789abcdef01234567",
                "mlflow.source.name": "/home/ann/train.py", "mlflow.note.content": "first try",
                "team": "fraud"},
          metrics={"loss": [(T0 + 1000, 0.9, 0), (T0 + 2000, 0.5, 1), (T0 + 3000, 0.25, 2)],
                   "val/loss": [(T0 + 1500, 1.0, 0), (T0 + 3500, 0.75, 2)]},
          artifacts={"model/model.pkl": MODEL, "plots/a/notes.txt": "hello\n"})
    fraud = s.experiment(1, "fraud")
    s.run(fraud, "b" * 32, "sweep", start=T0 + 100_000, end=T0 + 400_000,
          metrics={"best": [(T0 + 390_000, 0.5, 0)]})
    s.run(fraud, "c" * 32, "trial-1", status=FAILED, start=T0 + 110_000, end=T0 + 200_000,
          params={"lr": "0.1"}, tags={"mlflow.parentRunId": "b" * 32})
    s.run(fraud, "d" * 32, "trial-2", status=KILLED, start=T0 + 210_000, end=T0 + 300_000,
          params={"lr": "0.2"}, tags={"mlflow.parentRunId": "b" * 32})
    s.run(fraud, "e" * 32, "still-going", status=RUNNING, start=T0 + 500_000, end=None,
          metrics={"loss": [(T0 + 510_000, 2.0, 0), (T0 + 520_000, 1.5, 1)]})
    s.run(fraud, "f" * 32, "thrown-away", deleted=True, start=T0 + 600_000)
    old = s.experiment(7, "old", deleted=True)
    s.run(old, "9" * 32, "ancient", start=T0 - 100_000)
    (s.root / "models" / "fraud-model").mkdir(parents=True)
    return s.root


@pytest.fixture(scope="module")
def imported(tmp_path_factory):
    base = tmp_path_factory.mktemp("mlflow")
    repo = make_git_repo(base / "shop")
    init_project(repo, "p")
    mlruns = write_store(base / "mlruns")
    proc = trail("import", "mlflow", mlruns, "--format", "json", cwd=repo)
    return repo, mlruns, json.loads(proc.stdout)


def by_run_id(repo):
    return {r["tags"]["mlflow.run_id"]: r for r in ls_json(repo)}


def test_import_report_and_listing(imported):
    repo, _, report = imported
    assert [r["mlflow_run_id"][0] for r in report["imported"]] == ["a", "b", "c", "d", "e"]
    assert report["skipped_deleted_runs"] == 1 and report["skipped_deleted_experiments"] == 1
    assert report["registered_models_skipped"] is True and report["experiments"] == 2
    # One commit for the whole import, and `trail ls` shows every run at once.
    assert len(branch_commits(repo)) == 1
    rows = by_run_id(repo)
    assert set(rows) == {c * 32 for c in "abcde"}
    status = {k[0]: r["status"] for k, r in rows.items()}
    assert status == {"a": "finished", "b": "finished", "c": "failed", "d": "killed", "e": "crashed"}
    # Numbered in start order, parents before their nested runs.
    assert [rows[c * 32]["id"] for c in "abcde"] == ["p-1", "p-2", "p-3", "p-4", "p-5"]


def test_record_fields(imported):
    repo, _, _ = imported
    rec = record(repo, "p-1")
    assert rec["name"] == "solo" and rec["status"] == "finished"
    assert rec["started"] == "2025-11-26T07:29:37.000Z" and rec["ended"] == "2025-11-26T07:30:37.000Z"
    assert rec["duration_s"] == 60.0
    assert rec["user"] == {"name": "ann"}
    assert rec["code"] == {"commit": "0123456789abcdef0123456789abcdef01234567"}
    assert rec["params"] == {"lr": 0.01, "epochs": 3, "optimizer": "adam", "use_bn": True}
    tags = rec["tags"]
    assert tags["experiment"] == "Default" and tags["mlflow.experiment_id"] == "0"
    assert tags["mlflow.run_id"] == "a" * 32 and tags["team"] == "fraud"
    assert rec["notes"][0]["text"] == "first try"
    summary = rec["metrics"]["summary"]
    assert summary["loss"] == {"last": 0.25, "min": 0.25, "max": 0.9, "count": 3, "last_step": 2,
                               "min_step": 2, "max_step": 0}
    assert summary["val/loss"]["count"] == 2
    # Nested runs point at their parent; the parent tag stays too.
    assert record(repo, "p-3")["parent"] == "p-2" and record(repo, "p-4")["parent"] == "p-2"
    assert "parent" not in record(repo, "p-2")
    # A run MLflow still calls RUNNING ends at its last metric point.
    running = record(repo, "p-5")
    assert running["status"] == "crashed" and running["duration_s"] == 20.0


def test_series_and_show(imported):
    repo, _, _ = imported
    tsv = trail("show", "p-1", "--series", "val/loss", cwd=repo).stdout.splitlines()
    assert tsv[0] == "step\ttime\tvalue"
    assert tsv[1:] == ["0\t1764142178.500\t1", "2\t1764142180.500\t0.75"]
    shown = json.loads(trail("show", "p-1", "--format", "json", cwd=repo).stdout)
    assert shown["id"] == "p-1" and shown["tags"]["mlflow.run_id"] == "a" * 32


def test_artifacts_restore_byte_for_byte(imported):
    repo, mlruns, _ = imported
    arts = {a["path"]: a for a in record(repo, "p-1")["artifacts"]}
    assert set(arts) == {"model/model.pkl", "plots/a/notes.txt"}
    assert arts["model/model.pkl"]["size"] == len(MODEL)
    trail("get", "p-1", "model/model.pkl", "-o", "out", cwd=repo)
    src = mlruns / "0" / ("a" * 32) / "artifacts" / "model" / "model.pkl"
    assert sha256_file(repo / "out" / "model" / "model.pkl") == sha256_file(src)


def test_reimport_imports_nothing(imported):
    repo, mlruns, _ = imported
    before = branch_commits(repo)
    again = json.loads(trail("import", "mlflow", mlruns, "--format", "json", cwd=repo).stdout)
    assert again["imported"] == [] and again["skipped_existing"] == 5 and again["commit"] == ""
    assert branch_commits(repo) == before
    text = trail("import", "mlflow", mlruns, cwd=repo).stdout
    assert "imported 0 runs" in text and "skipped 5 already imported" in text


def test_dry_run_selection_and_deleted(imported):
    repo, mlruns, _ = imported
    before = branch_commits(repo)
    proc = trail("import", "mlflow", mlruns, "--include-deleted", "--dry-run", "--format", "json", cwd=repo)
    plan = json.loads(proc.stdout)
    assert sorted(r["mlflow_run_id"][0] for r in plan["imported"]) == ["9", "f"]
    assert all("id" not in r for r in plan["imported"])
    assert branch_commits(repo) == before
    plan = json.loads(trail("import", "mlflow", mlruns, "--experiment", "7", "--include-deleted", "-n",
                            "--format", "json", cwd=repo).stdout)
    assert [r["experiment"] for r in plan["imported"]] == ["old"]
    proc = trail("import", "mlflow", mlruns, "--experiment", "nope", cwd=repo, check=False)
    assert proc.returncode != 0 and "no experiment nope" in proc.stderr


def test_grown_store_imports_new_runs_under_imported_parents(imported):
    # Runs after the ones above: the store grows by one nested run of the imported sweep.
    repo, mlruns, _ = imported
    MlflowStore(mlruns).run(mlruns / "1", "0" * 32, "trial-3", start=T0 + 700_000, end=T0 + 710_000,
                            tags={"mlflow.parentRunId": "b" * 32})
    report = json.loads(trail("import", "mlflow", mlruns, "--format", "json", cwd=repo).stdout)
    assert [r["id"] for r in report["imported"]] == ["p-6"] and report["skipped_existing"] == 5
    assert record(repo, "p-6")["parent"] == "p-2"


# ----------------------------------------------------------------------------------------------
# Error paths: a store each, nothing written.


@pytest.fixture
def small(tmp_path):
    repo = make_git_repo(tmp_path / "shop")
    init_project(repo, "p")
    s = MlflowStore(tmp_path / "mlruns")
    exp = s.experiment(0, "Default")
    run = s.run(exp, "a" * 32, "r", params={"lr": "0.1"}, metrics={"loss": [(T0, 1.0, 0)]},
                artifacts={"m/model.bin": b"x"})
    return repo, s.root, run


def refused(repo, mlruns, *needles):
    proc = trail("import", "mlflow", mlruns, cwd=repo, check=False)
    assert proc.returncode != 0
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1, proc.stderr
    for n in needles:
        assert n in lines[0], lines[0]
    assert branch_commits(repo) == []
    return lines[0]


def test_malformed_meta_yaml(small):
    repo, mlruns, run = small
    (run / "meta.yaml").write_text("run_id: [unclosed\n")
    refused(repo, mlruns, str(run / "meta.yaml"))


def test_bad_status(small):
    repo, mlruns, run = small
    text = (run / "meta.yaml").read_text().replace("status: 3", "status: 9")
    (run / "meta.yaml").write_text(text)
    refused(repo, mlruns, "meta.yaml", "status")


def test_bad_metric_line(small):
    repo, mlruns, run = small
    with open(run / "metrics" / "loss", "a") as f:
        f.write("1764142177000 not-a-number 1\n")
    refused(repo, mlruns, str(run / "metrics" / "loss"), "line 2")


def test_dotdot_run_id(small):
    repo, mlruns, run = small
    text = (run / "meta.yaml").read_text().replace("run_id: " + "a" * 32, "run_id: ../../etc")
    (run / "meta.yaml").write_text(text)
    refused(repo, mlruns, "meta.yaml", "run_id")


def test_symlink_is_not_followed(small, tmp_path):
    repo, mlruns, run = small
    secret = tmp_path / "secret.txt"
    secret.write_text("do not import me")
    os.symlink(secret, run / "artifacts" / "m" / "link.txt")
    refused(repo, mlruns, "link.txt", "symbolic link")


def test_oversized_param(small):
    repo, mlruns, run = small
    (run / "params" / "big").write_text("x" * (65 * 1024))
    refused(repo, mlruns, str(run / "params" / "big"), "bytes")


def test_long_metric_line(small):
    repo, mlruns, run = small
    (run / "metrics" / "loss").write_text("1" * 5000 + " 1.0 0\n")
    refused(repo, mlruns, "loss", "longer than")


def test_missing_store(small, tmp_path):
    repo, _, _ = small
    refused(repo, tmp_path / "nowhere", "no such folder")

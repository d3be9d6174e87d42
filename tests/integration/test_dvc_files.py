"""DVC's files under trail run: params.yaml and dvc.yaml's params files, dvc.yaml's metrics files
and dvclive's output, recorded as DVC reads them."""
import csv
import io
import json
import os
import time

import pytest

from conftest import PYTHON, git, init_project, make_git_repo, trail, write_script

DVC_YAML = """\
stages:
  train:
    cmd: python train.py
    params:
      - train.lr
      - config/model.yaml:
          - depth
    metrics:
      - metrics.json:
          cache: false
      - eval/scores.yaml
      - stale.json
      - ../outside.json
      - big.json
metrics:
  - dvclive/metrics.json
plots:
  - dvclive/plots/metrics:
      x: step
"""

# Writes what a DVC stage using dvclive writes, in the run's folder.
TRAIN = """
import json, os, time
os.makedirs("dvclive/plots/metrics/train", exist_ok=True)
os.makedirs("eval", exist_ok=True)
now = int(time.time() * 1000)
with open("dvclive/plots/metrics/loss.tsv", "w") as f:
    f.write("timestamp\\tstep\\tloss\\n")
    for step, v in enumerate([0.9, 0.5, 0.25]):
        f.write(f"{now + step}\\t{step}\\t{v}\\n")
with open("dvclive/plots/metrics/train/acc.tsv", "w") as f:
    f.write("timestamp\\tstep\\tacc\\n" + f"{now}\\t0\\t0.5\\n{now + 1}\\t1\\tnan\\n{now + 2}\\t2\\t0.9\\n")
with open("dvclive/metrics.json", "w") as f:
    json.dump({"step": 2, "loss": 0.25, "train": {"acc": 0.9}, "epoch_time": 1.5}, f)
with open("metrics.json", "w") as f:
    json.dump({"acc": 0.91, "nested": {"f1": 0.8}, "name": "not a number"}, f)
with open("eval/scores.yaml", "w") as f:
    f.write("auc: 0.7\\nper_class:\\n  cat: 0.6\\n")
with open("big.json", "w") as f:
    f.write('{"huge": 1, "pad": "' + "x" * (2 << 20) + '"}')
"""


@pytest.fixture(scope="module")
def project(tmp_path_factory):
    base = tmp_path_factory.mktemp("dvc")
    repo = init_project(make_git_repo(base / "shop"), "p")
    (repo / "dvc.yaml").write_text(DVC_YAML)
    (repo / "params.yaml").write_text("train:\n  lr: 0.01\n  epochs: 3\nmodel_name: resnet\n")
    (repo / "config").mkdir()
    (repo / "config" / "model.yaml").write_text("depth: 4\nwidth: 8\n")
    # A metrics file from before the run: not this run's.
    (repo / "stale.json").write_text('{"old": 1}')
    past = time.time() - 3600
    os.utime(repo / "stale.json", (past, past))
    (base / "outside.json").write_text('{"escaped": 1}')
    git("add", ".", cwd=repo)
    git("commit", "-q", "-m", "dvc pipeline", cwd=repo)
    script = write_script(base, "train.py", TRAIN)
    first = trail("run", "--", PYTHON, script, cwd=repo)
    second = trail("run", "-p", "train.lr=0.5", "--", PYTHON, script, cwd=repo)
    return repo, first, second


def show(repo, run_id):
    return json.loads(trail("show", run_id, "--format", "json", cwd=repo).stdout)


def test_params_from_params_yaml_and_dvc_yaml_stage_files(project):
    repo, _, _ = project
    rec = show(repo, "p-1")
    params = rec["params"]
    assert params["train.lr"] == 0.01 and params["train.epochs"] == 3 and params["model_name"] == "resnet"
    assert params["depth"] == 4  # config/model.yaml, the key the stage lists
    assert "width" not in params  # not listed


def test_p_wins_over_the_params_file(project):
    repo, _, _ = project
    assert show(repo, "p-2")["params"]["train.lr"] == 0.5


def test_metrics_files_and_dvclive_series(project):
    repo, _, _ = project
    metrics = show(repo, "p-1")["metrics"]
    summary = metrics["summary"]
    assert summary["acc"]["last"] == 0.91 and summary["acc"]["count"] == 1
    assert summary["nested.f1"]["last"] == 0.8
    assert summary["auc"]["last"] == 0.7 and summary["per_class.cat"]["last"] == 0.6
    assert "name" not in summary
    # dvclive's series, whole, with their steps; metrics.json only adds what has no series.
    assert summary["loss"]["count"] == 3 and summary["loss"]["last"] == 0.25 and summary["loss"]["min_step"] == 2
    assert summary["train.acc"]["count"] == 3 and summary["train.acc"]["last"] == 0.9
    assert summary["epoch_time"]["last"] == 1.5
    assert metrics["origin"]["loss"] == "dvclive dvclive/plots/metrics/loss.tsv"
    assert metrics["origin"]["acc"] == "dvc metrics.json"
    series = trail("show", "p-1", "--series", "loss", cwd=repo).stdout.splitlines()
    assert [l.split("\t")[0] for l in series[1:]] == ["0", "1", "2"]


def test_untrusted_files_are_refused_with_warnings(project):
    repo, first, _ = project
    metrics = show(repo, "p-1")["metrics"]
    summary = metrics["summary"]
    assert "old" not in summary  # written before the run
    assert "escaped" not in summary  # ../outside.json
    assert "huge" not in summary  # over the size bound
    warnings = " ".join(metrics.get("warnings", []))
    assert "../outside.json" in warnings and "big.json" in warnings


def test_ls_columns_show_dvc_values(project):
    repo, _, _ = project
    out = trail("ls", "--columns", "id,params.train.lr,metrics.acc", "--format", "csv", cwd=repo).stdout
    rows = list(csv.reader(io.StringIO(out)))
    assert rows[0] == ["id", "params.train.lr", "metrics.acc"]
    assert rows[1:] == [["p-2", "0.5", "0.91"], ["p-1", "0.01", "0.91"]]


def test_symlinked_series_is_not_followed_and_dvc_off_reads_nothing(tmp_path):
    repo = init_project(make_git_repo(tmp_path / "shop"), "p")
    secret = tmp_path / "secret.tsv"
    secret.write_text("timestamp\tstep\tsecret\n1\t0\t42\n")
    code = ("import os; os.makedirs('dvclive/plots/metrics', exist_ok=True);"
            f"os.symlink({str(secret)!r}, 'dvclive/plots/metrics/secret.tsv');"
            "open('dvclive/plots/metrics/ok.tsv','w').write('timestamp\\tstep\\tok\\n1\\t0\\t1\\n')")
    trail("run", "--", PYTHON, "-c", code, cwd=repo)
    summary = show(repo, "p-1")["metrics"]["summary"]
    assert "ok" in summary and "secret" not in summary

    config = repo / ".trail" / "config.yaml"
    config.write_text(config.read_text() + "metrics:\n  dvc: off\n")
    trail("run", "--", PYTHON, "-c", "open('dvclive/plots/metrics/ok.tsv','a').write('2\\t1\\t2\\n')", cwd=repo)
    assert "ok" not in show(repo, "p-2").get("metrics", {}).get("summary", {})


def test_malformed_dvc_yaml_params_file_is_a_clear_error(tmp_path):
    repo = init_project(make_git_repo(tmp_path / "shop"), "p")
    (repo / "dvc.yaml").write_text("stages:\n  s:\n    params:\n      - conf.yaml:\n          - a\n")
    (repo / "conf.yaml").write_text("a: [1, 2\n")
    proc = trail("run", "--", PYTHON, "-c", "pass", cwd=repo, check=False)
    assert proc.returncode != 0 and "conf.yaml" in proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1, proc.stderr

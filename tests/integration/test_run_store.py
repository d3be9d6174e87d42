"""Runs use the object store: --data (Table 3: hash, size, instances, snapshot), --artifact and
configured output folders, and `trail get` to restore them."""
import csv
import io
import json
import random
from pathlib import Path

import yaml

from conftest import PYTHON, git, record, sha256_file, trail, write_script


def write_csv(path, rows, seed=0):
    rng = random.Random(seed)
    with open(path, "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["x1", "x2", "label"])
        for i in range(rows):
            w.writerow([round(rng.random(), 6), i, rng.choices(["cat", "dog", "fox"], [0.6, 0.3, 0.1])[0]])


TRAIN = """
import os, sys
os.makedirs("models", exist_ok=True)
with open("models/model.pt", "wb") as f:
    f.write(os.urandom(200_000))
with open("models/notes.txt", "w") as f:
    f.write("epoch 3")
print("trained")
"""


def test_data_inputs_are_counted_hashed_and_snapshotted(project, scripts):
    write_csv(project / "train.csv", 30_000, seed=1)
    (project / "valid.jsonl").write_text("".join(json.dumps({"x": i, "y": i % 2}) + "\n" for i in range(4000)))
    script = write_script(scripts, "t.py", "print('ok')")
    trail("run", "--data", "train=train.csv", "--data", "validation=valid.jsonl", "--data", "raw=s3://b/all.parquet",
          "--stratify", "label", "--", PYTHON, script, cwd=project)
    rec = record(project, "p-1")
    train, valid, raw = rec["data"]
    assert train["role"] == "train" and train["source"] == "train.csv" and train["format"] == "csv"
    assert train["instances"] == 30_000
    assert train["size"] == (project / "train.csv").stat().st_size
    assert train["oid"] == "sha256:" + sha256_file(project / "train.csv")
    snap = train["snapshot"]
    assert snap["fraction"] == 0.01 and snap["seed"] == 0 and snap["stratify"] == "label"
    assert abs(snap["rows"] - 300) <= 3  # within one row per class
    assert valid["instances"] == 4000 and valid["format"] == "jsonl"
    assert valid["oid"] == "sha256:" + sha256_file(project / "valid.jsonl")
    assert list(train)[:5] == ["role", "source", "size", "oid", "format"]
    # The ids were taken in the snapshot's own pass and cached, so the next run reads no file twice.
    cached = dict(line.split("\t", 1) for line in (project / ".trail" / "hash-cache.tsv").read_text().splitlines())
    assert cached["train.csv"].split()[-1] == train["oid"].split(":")[1]
    assert raw == {"role": "raw", "source": "s3://b/all.parquet"}

    # The snapshot comes back byte-identical, header kept, class shares kept.
    trail("get", "p-1", "--snapshot", "train", "-o", "sample.csv", cwd=project)
    sample = (project / "sample.csv").read_text()
    rows = list(csv.DictReader(io.StringIO(sample)))
    assert len(rows) == snap["rows"] and sample.startswith("x1,x2,label\n")
    counts = {c: sum(r["label"] == c for r in rows) for c in ("cat", "dog", "fox")}
    full = list(csv.DictReader(open(project / "train.csv")))
    for c, n in counts.items():
        expected = sum(r["label"] == c for r in full) / 100
        assert abs(n - expected) <= 1, (c, n, expected)
    assert sha256_file(project / "sample.csv") == snap["oid"].split(":")[1]
    # Same data, same seed: the same rows in another run.
    trail("run", "--data", "train=train.csv", "--stratify", "label", "--", PYTHON, script, cwd=project)
    assert record(project, "p-2")["data"][0]["snapshot"]["oid"] == snap["oid"]
    shown = trail("show", "p-1", cwd=project).stdout
    assert "30000" in shown and f"{snap['rows']} rows (0.01, seed 0, by label)" in shown


def test_bad_data_flags_fail_before_the_run(project, scripts):
    script = write_script(scripts, "t.py", "open('ran', 'w').write('x')")
    write_csv(project / "train.csv", 100)
    cases = [
        (("--data", "train"), "expected ROLE=PATH_OR_URL"),
        (("--data", "train=missing.csv"), "missing.csv: no such file"),
        (("--data", "train=train.csv", "--stratify", "colour"), "colour"),
        (("--data", "train=train.csv", "--snapshot-fraction", "1.5"), "--snapshot-fraction"),
        (("--data", "a=train.csv", "--data", "a=train.csv"), "the role a is given twice"),
    ]
    for flags, message in cases:
        proc = trail("run", *flags, "--", PYTHON, script, cwd=project, check=False)
        assert proc.returncode != 0 and message in proc.stderr, (flags, proc.stderr)
    assert not (project / "ran").exists()
    assert git("branch", "--list", "trail", cwd=project) == ""  # no run recorded


def test_artifacts_are_stored_and_restored_by_get(project, scripts):
    script = write_script(scripts, "train.py", TRAIN)
    trail("run", "--artifact", "models", "--", PYTHON, script, cwd=project)
    rec = record(project, "p-1")
    arts = {a["path"]: a for a in rec["artifacts"]}
    assert set(arts) == {"models/model.pt", "models/notes.txt"}
    assert arts["models/model.pt"]["role"] == "torch" and arts["models/model.pt"]["size"] == 200_000
    assert arts["models/model.pt"]["oid"] == "sha256:" + sha256_file(project / "models/model.pt")
    want = sha256_file(project / "models/model.pt")
    # The next run overwrites the model; the first one's is still there to get.
    trail("run", "--artifact", "models", "--", PYTHON, script, cwd=project)
    # The output folder is in the store, so the second run's code snapshot leaves it out.
    rec2 = record(project, "p-2")
    assert "models/model.pt" in rec2["code"]["skipped"]
    assert "models" not in git("ls-tree", "--name-only", rec2["code"]["snapshot"], cwd=project).split()
    out = trail("get", "p-1", "model.pt", "-o", "restored", cwd=project).stdout
    assert "restored 1 artifact" in out
    assert sha256_file(project / "restored/models/model.pt") == want
    assert not (project / "restored/models/notes.txt").exists()
    trail("get", "p-1", "-o", "all", cwd=project)
    assert (project / "all/models/notes.txt").read_text() == "epoch 3"
    proc = trail("get", "p-1", "nothing.pt", "-o", "x", cwd=project, check=False)
    assert proc.returncode != 0 and "has no artifact nothing.pt" in proc.stderr


def test_configured_output_folders_keep_only_what_the_run_changed(project, scripts):
    config = project / ".trail/config.yaml"
    cfg = yaml.safe_load(config.read_text())
    cfg["artifacts"] = ["models", "checkpoints/"]
    config.write_text(yaml.safe_dump(cfg))
    (project / "models").mkdir()
    (project / "models/old.h5").write_bytes(b"old model")
    script = write_script(scripts, "train.py", TRAIN)
    trail("run", "--", PYTHON, script, cwd=project)
    rec = record(project, "p-1")
    assert sorted(a["path"] for a in rec["artifacts"]) == ["models/model.pt", "models/notes.txt"]


def test_long_metric_series_go_to_the_store_and_read_back(project, scripts):
    script = write_script(scripts, "long.py", """
import json, os
with open(os.environ["TRAIL_METRICS"], "a") as f:
    for step in range(30000):
        f.write(json.dumps({"step": step, "loss": 1.0 / (step + 1)}) + "\\n")
    f.write(json.dumps({"step": 0, "acc": 0.5}) + "\\n")
""")
    trail("run", "--", PYTHON, script, cwd=project)
    rec = record(project, "p-1")
    series = rec["metrics"]["series"]
    assert isinstance(series["loss"], dict) and series["loss"]["oid"].startswith("sha256:")
    assert series["acc"] == "metrics/acc.tsv"  # short: beside the record, readable with plain Git
    lines = trail("show", "p-1", "--series", "loss", cwd=project).stdout.splitlines()
    rows = [line.split("\t") for line in lines if line and not line.startswith("#") and not line.startswith("step")]
    assert len(rows) == 30000 and float(rows[-1][-1]) == 1.0 / 30000
    assert trail("show", "p-1", "--series", "acc", cwd=project).stdout.strip().endswith("0.5")
    # gc keeps it: the record names it.
    trail("gc", cwd=project)
    assert len(trail("show", "p-1", "--series", "loss", cwd=project).stdout.splitlines()) >= 30000

"""The Python client stores what it logs: log_artifact keeps the file's content as it was at the
call, log_data records a data input with its snapshot, and `trail get` restores them."""
import csv
import random
from pathlib import Path

from conftest import python, record, trail, write


def write_csv(path, rows, seed=0):
    rng = random.Random(seed)
    with open(path, "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["x1", "x2", "label"])
        for i in range(rows):
            w.writerow([round(rng.random(), 6), i, rng.choices(["cat", "dog", "fox"], [0.6, 0.3, 0.1])[0]])


def test_log_artifact_and_log_data(project):
    write_csv(project / "train.csv", 5000, seed=3)
    script = write(project, "client.py", """
import numpy, trail
with trail.start_run():
    with open("model.keras", "wb") as f:
        f.write(b"v1" * 1000)
    trail.log_artifact("model.keras")
    with open("model.keras", "wb") as f:   # overwritten later: the stored copy is v1
        f.write(b"v2")
    trail.log_data("train", "train.csv", snapshot=0.1, seed=7, stratify="label")
    trail.log_data("features", numpy.arange(3000, dtype="float32").reshape(1000, 3))
""")
    python(script, cwd=project)
    rec = record(project, "p-1")
    [art] = rec["artifacts"]
    assert art["path"] == "model.keras" and art["role"] == "keras" and art["size"] == 2000
    train, feats = rec["data"]
    assert train["instances"] == 5000 and abs(train["snapshot"]["rows"] - 500) <= 3
    assert train["snapshot"]["seed"] == 7 and train["snapshot"]["stratify"] == "label"
    assert feats["source"] == "numpy array float32 (1000, 3)" and feats["instances"] == 1000
    trail("get", "p-1", "-o", "back", cwd=project)
    assert (project / "back/model.keras").read_bytes() == b"v1" * 1000


def test_log_data_under_trail_run_joins_the_run(project):
    write_csv(project / "train.csv", 1000, seed=4)
    script = write(project, "joined.py", """
import trail
trail.log_data("train", "train.csv")
trail.log_artifact("train.csv", role="dataset")
""")
    trail("run", "--", "/usr/bin/python3", script, cwd=project)
    rec = record(project, "p-1")
    assert rec["data"][0]["instances"] == 1000 and rec["data"][0]["snapshot"]["rows"] == 10
    assert rec["artifacts"][0]["role"] == "dataset"


def test_log_artifact_of_a_saved_model_folder_keeps_it_whole(project):
    script = write(project, "sm.py", """
import os, trail
with trail.start_run():
    os.makedirs("export/sm/variables", exist_ok=True)
    open("export/sm/saved_model.pb", "wb").write(b"graph")
    open("export/sm/variables/variables.index", "wb").write(b"index")
    open("export/sm/variables/variables.data-00000-of-00001", "wb").write(b"data" * 100)
    trail.log_artifact("export/sm/")
""")
    python(script, cwd=project)
    [art] = record(project, "p-1")["artifacts"]
    assert art["path"] == "export/sm" and art["role"] == "saved_model"
    assert art["type"] == "folder" and art["files"] == 3 and art["size"] == 5 + 5 + 400
    trail("get", "p-1", "saved_model", "-o", "back", cwd=project)
    assert (project / "back/export/sm/variables/variables.data-00000-of-00001").read_bytes() == b"data" * 100
    assert (project / "back/export/sm/saved_model.pb").read_bytes() == b"graph"


def test_a_model_that_crashes_libhdf5_leaves_the_python_process_running(project):
    # Debian's libhdf5 1.10.8 segfaults on this bit-flipped Keras .h5 (H5HG_read); the module reads
    # HDF5 in a child process, so the artifact gets a model error and the script goes on.
    crash = Path(__file__).resolve().parents[2] / "fuzz" / "corpus" / "keras" / "hdf5_heap_overread.h5"
    script = write(project, "crash.py", f"""
import shutil, trail
with trail.start_run():
    shutil.copy({str(crash)!r}, "model.h5")
    trail.log_artifact("model.h5")
print("still here")
""")
    assert "still here" in python(script, cwd=project).stdout
    [art] = record(project, "p-1")["artifacts"]
    assert "the HDF5 library failed reading this file" in art["model"]["error"]

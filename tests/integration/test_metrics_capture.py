"""Metrics from unmodified scripts: Keras/tqdm output, TensorBoard event files, CSVLogger; derived metrics."""
import json
from pathlib import Path

from conftest import PYTHON, record, trail, write_script

KERAS = r"""
import sys
for e in range(1, 4):
    print(f"Epoch {e}/3")
    for b in range(1, 11):
        sys.stdout.write(f"\r{b}/10 [{'=' * b}{'.' * (10 - b)}] - ETA: 0s - loss: {1.0 / e + 0.01 * b:.4f}")
        sys.stdout.flush()
    sys.stdout.write(f"\r10/10 [==========] - 1s 15ms/step - loss: {1.0 / e:.4f} - accuracy: {0.5 + 0.1 * e:.4f}"
                     f" - val_loss: {1.2 / e:.4f} - val_accuracy: {0.45 + 0.1 * e:.4f}\n")
"""


def series(repo, run_id, key):
    from conftest import branch_file, run_dir
    rec = record(repo, run_id)
    text = branch_file(repo, f"{run_dir(run_id)}/{rec['metrics']['series'][key]}")
    return [(int(l.split("\t")[0]), float(l.split("\t")[2])) for l in text.splitlines()[1:]]


def test_keras_progress_output_becomes_metrics_and_output_is_unchanged(project, scripts):
    script = write_script(scripts, "keras.py", KERAS)
    bare = __import__("subprocess").run([PYTHON, script], capture_output=True).stdout
    proc = trail("run", "--", PYTHON, script, cwd=project, text=False)
    assert proc.stdout == bare  # parsing never alters what the user sees
    rec = record(project, "p-1")
    assert series(project, "p-1", "loss") == [(1, 1.0), (2, 0.5), (3, 0.3333)]
    assert series(project, "p-1", "val_accuracy") == [(1, 0.55), (2, 0.65), (3, 0.75)]
    assert rec["metrics"]["origin"]["loss"] == "output"
    d = rec["metrics"]["derived"]
    assert d["val_loss_min"] == 0.4 and d["val_loss_min_step"] == 3
    assert abs(d["train_val_gap_max"] - 0.2) < 1e-9 and d["train_val_gap_max_step"] == 1
    assert d["best_accuracy"] == 0.75 and d["sources"]["accuracy"] == "val_accuracy"
    show = trail("show", "p-1", cwd=project).stdout
    assert "Derived metrics" in show and "val_loss_min" in show


def test_no_parse_and_protocol_metrics_win(project, scripts):
    script = write_script(scripts, "keras.py", KERAS)
    trail("run", "--no-parse", "--", PYTHON, script, cwd=project)
    assert "metrics" not in record(project, "p-1")
    both = write_script(scripts, "both.py", KERAS + r"""
import json, os
with open(os.environ["TRAIL_METRICS"], "a") as f:
    f.write(json.dumps({"step": 1, "loss": 42.0}) + "\n")
""")
    trail("run", "--", PYTHON, both, cwd=project)
    rec = record(project, "p-2")
    assert rec["metrics"]["summary"]["loss"]["count"] == 1
    assert rec["metrics"]["summary"]["loss"]["last"] == 42.0
    assert "loss" not in rec["metrics"]["origin"]
    assert rec["metrics"]["origin"]["val_loss"] == "output"


def test_parse_output_off_in_config(project, scripts):
    cfg = project / ".trail" / "config.yaml"
    cfg.write_text(cfg.read_text() + "metrics: {parse_output: false}\n")
    script = write_script(scripts, "keras.py", KERAS)
    trail("run", "--", PYTHON, script, cwd=project)
    assert "metrics" not in record(project, "p-1")


def test_tensorboard_event_files_written_by_the_run_are_ingested(project, scripts):
    writer = Path(__file__).with_name("tb_writer.py")
    # An old event file from before the run must be ignored.
    old = project / "old_logs"
    old.mkdir()
    (old / "events.out.tfevents.1.old").write_bytes(b"")
    import os
    os.utime(old / "events.out.tfevents.1.old", (1e9, 1e9))
    script = write_script(scripts, "tb.py", f"""
import sys, os
sys.path.insert(0, {str(writer.parent)!r})
from tb_writer import write_events
os.makedirs("logs/fit/20261126-101010/train", exist_ok=True)
os.makedirs("logs/fit/20261126-101010/validation", exist_ok=True)
write_events("logs/fit/20261126-101010/train/events.out.tfevents.1.host", [(s, [("epoch_loss", 1.0 / (s + 1), "tensor")]) for s in range(3)])
write_events("logs/fit/20261126-101010/validation/events.out.tfevents.1.host", [(s, [("epoch_loss", 1.5 / (s + 1), "tensor"), ("epoch_accuracy", 0.5 + 0.1 * s)]) for s in range(3)])
os.makedirs("runs/exp1", exist_ok=True)
write_events("runs/exp1/events.out.tfevents.2.host", [(s, [("Loss/train", 2.0 - s)]) for s in range(5)])
""")
    trail("run", "--", PYTHON, script, cwd=project)
    rec = record(project, "p-1")
    summary = rec["metrics"]["summary"]
    assert summary["train/epoch_loss"]["count"] == 3
    assert abs(summary["validation/epoch_loss"]["min"] - 0.5) < 1e-6
    assert summary["Loss/train"]["last"] == -2.0
    assert summary["Loss/train"]["count"] == 5
    assert rec["metrics"]["origin"]["Loss/train"] == "tensorboard runs/exp1/events.out.tfevents.2.host"
    d = rec["metrics"]["derived"]
    assert d["sources"] == {"val_loss": "validation/epoch_loss", "train_loss": "train/epoch_loss",
                            "accuracy": "validation/epoch_accuracy"}
    assert abs(d["train_val_gap_max"] - 0.5) < 1e-6


def test_corrupt_event_file_warns_and_keeps_points_before(project, scripts):
    writer = Path(__file__).with_name("tb_writer.py")
    script = write_script(scripts, "tb.py", f"""
import sys
sys.path.insert(0, {str(writer.parent)!r})
from tb_writer import event
with open("events.out.tfevents.3.host", "wb") as f:
    f.write(event(1.7e9, 0, [("loss", 0.5)]))
    bad = bytearray(event(1.7e9, 1, [("loss", 0.25)]))
    bad[-1] ^= 0xFF
    f.write(bad)
""")
    trail("run", "--", PYTHON, script, cwd=project)
    rec = record(project, "p-1")
    assert rec["metrics"]["summary"]["loss"]["count"] == 1
    assert any("events.out.tfevents.3.host" in w for w in rec["metrics"]["warnings"])
    assert rec["status"] == "finished"


def test_csv_logger_file_named_in_config(project, scripts):
    cfg = project / ".trail" / "config.yaml"
    cfg.write_text(cfg.read_text() + "metrics: {csv: [training.log], tensorboard: off}\n")
    script = write_script(scripts, "csvlog.py", """
with open("training.log", "w") as f:
    f.write("epoch,accuracy,loss,val_accuracy,val_loss\\n")
    for e in range(3):
        f.write(f"{e},{0.6 + 0.1 * e},{1.0 / (e + 1)},{0.55 + 0.1 * e},{1.2 / (e + 1)}\\n")
""")
    trail("run", "--", PYTHON, script, cwd=project)
    rec = record(project, "p-1")
    assert series(project, "p-1", "val_loss") == [(0, 1.2), (1, 0.6), (2, 1.2 / 3)]
    assert rec["metrics"]["origin"]["val_loss"] == "csv training.log"
    assert rec["metrics"]["derived"]["best_accuracy"] == 0.75


def test_bad_metrics_config_fails_before_running(project, scripts, tmp_path):
    cfg = project / ".trail" / "config.yaml"
    cfg.write_text(cfg.read_text() + "metrics: {parse_output: sometimes}\n")
    marker = tmp_path / "ran"
    proc = trail("run", "--", "touch", marker, cwd=project, check=False)
    assert proc.returncode == 1
    assert proc.stderr.strip() == "trail: error: .trail/config.yaml: metrics.parse_output: expected true, false or key_values"
    assert not marker.exists()

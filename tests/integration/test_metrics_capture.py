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


# A training script printing as Keras 2's Progbar does on a terminal ('\b' over the last update,
# '\r', running values, "ETA: 0s" at the last batch), with the callbacks that print between the
# last batch update and the epoch's final line: ModelCheckpoint(verbose=1) and
# ReduceLROnPlateau(verbose=1) messages, a Python warning written to stderr (sent to stdout, as
# `2>&1` or a pty does) inside the open line, and TensorFlow's C++ log glued onto the ETA line.
KERAS_INTERRUPTED = r"""
import os, sys
os.dup2(1, 2)  # 2>&1: stderr lands in the line stdout left open
sys.stderr = os.fdopen(2, "w", buffering=1)
prev = 0
def update(text, final=False):
    global prev
    sys.stdout.write("\b" * prev + "\r" + text + ("\n" if final else ""))
    sys.stdout.flush()
    prev = len(text)
between = [
    "\nEpoch 1: val_loss improved from inf to 0.80000, saving model to ckpt.h5\n",
    "2026-12-06 16:00:01.234567: W tensorflow/core/kernels/data/generator_dataset_op.cc:108] Error occurred "
    "when finalizing GeneratorDataset iterator: FAILED_PRECONDITION: Python interpreter state is not "
    "initialized. The process may be terminated.\n\t [[{{node PyFunc}}]]\n",
    "\nEpoch 3: val_loss did not improve from 0.60000\n\nEpoch 3: ReduceLROnPlateau reducing learning rate to 0.00010000000474974513.\n",
]
for e in range(1, 4):
    print(f"Epoch {e}/3")
    loss, acc = 1.0 / e, 0.5 + 0.1 * e
    for b in range(1, 13):
        update(f"{b:2d}/12 [{'=' * (b * 2)}>{'.' * (24 - b * 2)}] - ETA: {(12 - b) // 4}s - loss: {loss + 0.01 * (12 - b):.4f}"
               f" - accuracy: {acc:.4f}")
    sys.stdout.flush()
    if e == 2:
        sys.stderr.write(between[1])  # glued onto the "12/12 ... ETA: 0s" line
    else:
        sys.stdout.write(between[e - 1])
    if e == 1:
        sys.stderr.write("/usr/lib/python3/dist-packages/keras/src/engine/training.py:3103: UserWarning: You are "
                         "saving your model as an HDF5 file via `model.save()`.\n  saving_api.save_model(\n")
    lr = 0.001 if e < 3 else 0.0001
    update(f"12/12 [==============================] - 1s 5ms/step - loss: {loss:.4f} - accuracy: {acc:.4f}"
           f" - val_loss: {0.6 + 0.2 / e:.4f} - val_accuracy: {acc - 0.05:.4f} - lr: {lr:.4e}", final=True)
"""


def test_keras_final_line_after_callback_messages_and_warnings_is_recorded(project, scripts):
    script = write_script(scripts, "keras_interrupted.py", KERAS_INTERRUPTED)
    trail("run", "--", PYTHON, script, cwd=project)
    rec = record(project, "p-1")
    assert series(project, "p-1", "loss") == [(1, 1.0), (2, 0.5), (3, 0.3333)]
    assert series(project, "p-1", "accuracy") == [(1, 0.6), (2, 0.7), (3, 0.8)]
    assert series(project, "p-1", "val_loss") == [(1, 0.8), (2, 0.7), (3, 0.6667)]
    assert series(project, "p-1", "val_accuracy") == [(1, 0.55), (2, 0.65), (3, 0.75)]
    assert series(project, "p-1", "lr") == [(1, 0.001), (2, 0.001), (3, 0.0001)]
    d = rec["metrics"]["derived"]
    assert d["val_loss_min"] == 0.6667 and d["val_loss_min_step"] == 3
    assert d["best_accuracy"] == 0.75


def test_csv_logger_file_is_found_without_config(project, scripts):
    # CSVLogger's header ("epoch" first), CRLF line ends as on Windows or with newline="" unset.
    # A CSV log from before the run and a data CSV the run writes are not metrics.
    import os
    old = project / "old.log"
    old.write_text("epoch,loss\n0,9.0\n")
    os.utime(old, (1e9, 1e9))
    script = write_script(scripts, "csvlog.py", """
import os
os.makedirs("logs", exist_ok=True)
with open("logs/training.log", "w", newline="") as f:
    f.write("epoch,accuracy,loss,val_accuracy,val_loss\\r\\n")
    for e in range(3):
        f.write(f"{e},{0.6 + 0.1 * e},{1.0 / (e + 1)},{0.55 + 0.1 * e},{1.2 / (e + 1)}\\r\\n")
with open("predictions.csv", "w") as f:
    f.write("id,score\\n1,0.5\\n")
""")
    trail("run", "--", PYTHON, script, cwd=project)
    rec = record(project, "p-1")
    assert series(project, "p-1", "val_loss") == [(0, 1.2), (1, 0.6), (2, 1.2 / 3)]
    assert rec["metrics"]["origin"]["val_loss"] == "csv logs/training.log"
    assert rec["metrics"]["derived"]["best_accuracy"] == 0.75
    assert {k for k in rec["metrics"]["summary"] if not k.startswith("system/")} == {"accuracy", "loss", "val_accuracy", "val_loss"}


def test_csv_off_in_config_reads_no_csv_log(project, scripts):
    cfg = project / ".trail" / "config.yaml"
    cfg.write_text(cfg.read_text() + "metrics: {csv: off}\n")
    script = write_script(scripts, "csvlog.py", 'open("training.log", "w").write("epoch,loss\\n0,0.5\\n")\n')
    trail("run", "--", PYTHON, script, cwd=project)
    assert "metrics" not in record(project, "p-1")


# A CSVLogger-style log written a row at a time while the run goes on, with a val_loss that stops
# improving: `trail sweep` must see the rows while the trial runs to stop it early.
CSV_FLAT = r"""
import sys, time
with open("history.csv", "w", newline="") as f:
    f.write("epoch,loss,val_loss\r\n")
    for e in range(300):
        f.write(f"{e},{1.0 / (e + 1)},{max(0.5, 1.0 - 0.2 * e) + float(sys.argv[1])}\r\n")
        f.flush()
        time.sleep(0.05)
"""


def test_sweep_stops_a_trial_on_its_csv_logger_metrics_while_it_runs(project, scripts):
    import yaml
    from conftest import branch_file
    script = write_script(scripts, "flat.py", CSV_FLAT)
    spec = Path(project).parent / "s.yaml"
    spec.write_text(f"""
command: {PYTHON} {script} {{x}}
objective: val_loss
strategy: grid
space: {{x: {{choice: [0.0]}}}}
early_stop: {{metric: val_loss, patience: 5}}
""")
    trail("sweep", str(spec), "-q", cwd=project, timeout=120)
    t = yaml.safe_load(branch_file(project, "sweeps/p-sweep-1/sweep.yaml"))["trials"][0]
    assert t["status"] == "pruned"
    rec = record(project, t["id"])
    assert rec["pruned"].startswith("early stop: val_loss did not improve on 0.5")
    assert rec["metrics"]["origin"]["val_loss"] == "csv history.csv"
    assert rec["metrics"]["summary"]["val_loss"]["count"] < 300


def test_tensorboard_runs_of_one_program_stay_apart(project, scripts):
    # The TensorBoard HParams tutorial's layout: one folder per experiment, each with Keras'
    # train/ and validation/ writers, plus tf.summary writers directly in run folders.
    writer = Path(__file__).with_name("tb_writer.py")
    script = write_script(scripts, "hparams.py", f"""
import sys, os
sys.path.insert(0, {str(writer.parent)!r})
from tb_writer import write_events
for i, (name, scale) in enumerate([("Exp_0_adam", 1.0), ("Exp_2_sgd", 2.0)]):
    for split in ("train", "validation"):
        os.makedirs(f"logs/{{name}}/{{split}}", exist_ok=True)
        write_events(f"logs/{{name}}/{{split}}/events.out.tfevents.{{i}}.host",
                     [(s, [("epoch_loss", scale / (s + 1), "tensor")]) for s in range(3)])
    os.makedirs(f"logs/hparam_tuning/run-{{i}}", exist_ok=True)
    write_events(f"logs/hparam_tuning/run-{{i}}/events.out.tfevents.{{i}}.host", [(1, [("accuracy", 0.5 + i / 10)])])
""")
    trail("run", "--", PYTHON, script, cwd=project)
    rec = record(project, "p-1")
    summary = rec["metrics"]["summary"]
    assert "train/epoch_loss" not in summary
    assert summary["Exp_0_adam/train/epoch_loss"]["count"] == 3
    assert summary["Exp_2_sgd/train/epoch_loss"]["count"] == 3
    assert summary["Exp_2_sgd/validation/epoch_loss"]["max"] == 2.0
    assert summary["hparam_tuning/run-0/accuracy"]["last"] == 0.5
    assert abs(summary["hparam_tuning/run-1/accuracy"]["last"] - 0.6) < 1e-6
    assert rec["metrics"]["origin"]["Exp_2_sgd/train/epoch_loss"] == \
        "tensorboard logs/Exp_2_sgd/train/events.out.tfevents.1.host"
    points = series(project, "p-1", "Exp_0_adam/train/epoch_loss")
    assert [step for step, _ in points] == [0, 1, 2]  # TensorBoard's steps, as the writer wrote them
    assert [round(v, 4) for _, v in points] == [1.0, 0.5, 0.3333]

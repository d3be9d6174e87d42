"""The metrics line protocol ($TRAIL_METRICS) and the captured output tail."""
import json

from conftest import PYTHON, branch_file, git, record, run_dir, trail, write_script

LOSSES = [0.9, 0.5, 0.7, 0.2, 0.4]   # min 0.2 @ step 30, max 0.9 @ step 0, last 0.4 @ step 40
ACCS = [0.1, 0.6, 0.8]

METRICS_SCRIPT = r"""
import json, os
losses = %r
accs = %r
with open(os.environ["TRAIL_METRICS"], "a") as f:
    for i, l in enumerate(losses):
        f.write(json.dumps({"step": i * 10, "loss": l}) + "\n")
        f.flush()
    for i, a in enumerate(accs):
        f.write(json.dumps({"epoch": i + 1, "val": {"acc": a}}) + "\n")
""" % (LOSSES, ACCS)


def test_metric_summary_is_exact(project, scripts):
    script = write_script(scripts, "m.py", METRICS_SCRIPT)
    proc = trail("run", "--", PYTHON, script, cwd=project)
    rec = record(project, "p-1")
    loss = rec["metrics"]["summary"]["loss"]
    assert loss["last"] == 0.4
    assert loss["min"] == 0.2
    assert loss["max"] == 0.9
    assert loss["count"] == 5
    assert loss["min_step"] == 30
    assert loss["max_step"] == 0
    # "epoch" is the step and not a metric; nested keys flatten with dots
    acc = rec["metrics"]["summary"]["val.acc"]
    assert (acc["last"], acc["min"], acc["max"], acc["count"]) == (0.8, 0.1, 0.8, 3)
    assert (acc["min_step"], acc["max_step"]) == (1, 3)
    assert "epoch" not in rec["metrics"]["summary"]
    # the closing line on stderr mentions the last loss
    assert "loss 0.4" in proc.stderr


def test_series_file_on_the_branch(project, scripts):
    script = write_script(scripts, "m.py", METRICS_SCRIPT)
    trail("run", "--", PYTHON, script, cwd=project)
    rec = record(project, "p-1")
    assert rec["metrics"]["series"]["loss"] == "metrics/loss.tsv"
    tsv = branch_file(project, f"{run_dir('p-1')}/metrics/loss.tsv")
    lines = tsv.split("\n")
    assert lines[0] == "step\ttime\tvalue"
    rows = [l.split("\t") for l in lines[1:]]
    assert len(rows) == len(LOSSES)
    assert [int(r[0]) for r in rows] == [0, 10, 20, 30, 40]
    assert [float(r[2]) for r in rows] == LOSSES
    assert all(float(r[1]) > 1e9 for r in rows)
    acc_tsv = branch_file(project, f"{run_dir('p-1')}/{rec['metrics']['series']['val.acc']}")
    acc_rows = [l.split("\t") for l in acc_tsv.split("\n")[1:]]
    assert [int(r[0]) for r in acc_rows] == [1, 2, 3]


def test_malformed_metric_line_warns_with_line_number_and_keeps_the_rest(project, scripts):
    body = r"""
import os
lines = [
    '{"step": 1, "loss": 1.0}',
    '{"step": 2, "loss": 0.8}',
    '{"step": 3, "loss": oops}',
    '{"step": 4, "loss": 0.6}',
    'not json at all',
    '{"step": 5, "loss": 0.5, "acc": 0.9}',
]
with open(os.environ["TRAIL_METRICS"], "a") as f:
    f.write("\n".join(lines) + "\n")
"""
    script = write_script(scripts, "bad.py", body)
    proc = trail("run", "--", PYTHON, script, cwd=project)
    assert proc.returncode == 0
    warnings = [l for l in proc.stderr.splitlines() if "warning" in l]
    assert any("line 3" in w for w in warnings), proc.stderr
    assert any("line 5" in w for w in warnings), proc.stderr
    assert not any("line 1:" in w or "line 2:" in w or "line 4:" in w or "line 6:" in w for w in warnings)
    rec = record(project, "p-1")
    loss = rec["metrics"]["summary"]["loss"]
    assert loss["count"] == 4
    assert loss["last"] == 0.5 and loss["min"] == 0.5 and loss["max"] == 1.0
    assert rec["metrics"]["summary"]["acc"]["count"] == 1
    tsv = branch_file(project, f"{run_dir('p-1')}/metrics/loss.tsv").split("\n")
    assert [l.split("\t")[0] for l in tsv[1:]] == ["1", "2", "4", "5"]
    assert any("line 3" in w for w in rec["metrics"]["warnings"])


def test_final_line_without_newline_is_recorded(project):
    code = ("import os\nf = open(os.environ['TRAIL_METRICS'], 'a')\n"
            "f.write('{\"step\": 1, \"loss\": 2.5}\\n{\"step\": 2, \"loss\": 1.5}')\nf.close()\n")
    trail("run", "--", PYTHON, "-c", code, cwd=project)
    loss = record(project, "p-1")["metrics"]["summary"]["loss"]
    assert loss["count"] == 2 and loss["last"] == 1.5


def test_output_log_is_the_last_64_kib(project, scripts):
    # ~200 KiB of varied lines: what was printed in total
    script = write_script(scripts, "loud.py", r"""
import random, sys
rnd = random.Random(7)
out = sys.stdout.buffer
for i in range(4000):
    out.write(("line %05d " % i + "".join(rnd.choice("abcdefghij") for _ in range(rnd.randint(10, 80))) + "\n").encode())
out.flush()
""")
    proc = trail("run", "--", PYTHON, script, cwd=project, text=False)
    printed = proc.stdout
    assert len(printed) > 150 * 1024
    log = branch_file(project, f"{run_dir('p-1')}/output.log", text=False)
    assert len(log) == 65536
    assert log == printed[-65536:]
    shown = trail("show", "p-1", "--output", cwd=project, text=False)
    assert shown.stdout == printed[-65536:]
    assert record(project, "p-1")["output"] == "output.log"


def test_short_output_kept_whole_with_stderr(project):
    trail("run", "--", PYTHON, "-c", "import sys; print('to out'); sys.stderr.write('to err\\n')", cwd=project)
    log = branch_file(project, f"{run_dir('p-1')}/output.log")
    assert "to out" in log and "to err" in log
    assert trail("show", "1", "--output", cwd=project).stdout.strip() != ""


def test_no_metrics_no_metrics_section(project):
    trail("run", "--", "true", cwd=project)
    rec = record(project, "p-1")
    assert "summary" not in (rec.get("metrics") or {})
    files = git("ls-tree", "-r", "--name-only", "trail", cwd=project).splitlines()
    assert not any("/metrics/" in f for f in files)


def test_special_values_keys_and_time(project, scripts):
    body = r"""
import os
lines = [
    '{"step": 0, "eval/acc": 0.5, "loss": NaN, "ok": true, "time": 1700000000.25}',
    '{"step": 1, "eval/acc": 0.75, "loss": Infinity, "ok": false, "note": "text is ignored"}',
    '{"step": 2, "eval/acc": 0.25, "loss": 1.5, "timestamp": 1700000009}',
    '',
    '   ',
]
with open(os.environ["TRAIL_METRICS"], "a") as f:
    f.write("\n".join(lines) + "\n")
"""
    script = write_script(scripts, "special.py", body)
    proc = trail("run", "--", PYTHON, script, cwd=project)
    assert "warning" not in proc.stderr, proc.stderr
    rec = record(project, "p-1")
    summary = rec["metrics"]["summary"]
    assert {k for k in summary if not k.startswith("system/")} == {"eval/acc", "loss", "ok"}  # system/: sampled every 5 s
    acc = summary["eval/acc"]
    assert (acc["last"], acc["min"], acc["max"], acc["count"], acc["min_step"], acc["max_step"]) == \
        (0.25, 0.25, 0.75, 3, 2, 1)
    assert summary["ok"]["count"] == 2 and summary["ok"]["last"] == 0 and summary["ok"]["max"] == 1
    assert summary["loss"]["count"] == 3 and summary["loss"]["last"] == 1.5
    series = rec["metrics"]["series"]["eval/acc"]
    assert "/" not in series.split("metrics/", 1)[1]
    tsv = branch_file(project, f"{run_dir('p-1')}/{series}").split("\n")
    assert tsv[0] == "step\ttime\tvalue"
    assert tsv[1] == "0\t1700000000.250\t0.5"
    assert tsv[3] == "2\t1700000009.000\t0.25"
    loss_tsv = branch_file(project, f"{run_dir('p-1')}/{rec['metrics']['series']['loss']}").split("\n")
    assert [l.split("\t")[2] for l in loss_tsv[1:]] == ["nan", "inf", "1.5"]
    # the key is queryable as written
    assert [r["id"] for r in json.loads(trail("ls", "--format", "json", "--where", "metrics.eval/acc < 0.3",
                                              cwd=project).stdout)] == ["p-1"]


def test_metrics_appear_while_many_points_are_logged(project, scripts):
    body = r"""
import json, os
with open(os.environ["TRAIL_METRICS"], "a") as f:
    for i in range(20000):
        f.write('{"step": %d, "loss": %r, "lr": 0.001}\n' % (i, 1.0 / (i + 1)))
"""
    script = write_script(scripts, "many.py", body)
    trail("run", "--", PYTHON, script, cwd=project)
    rec = record(project, "p-1")
    loss = rec["metrics"]["summary"]["loss"]
    assert loss["count"] == 20000 and float(loss["min"]) == 1.0 / 20000 and loss["min_step"] == 19999
    # 20,000 points is over the size at which a series goes to the object store.
    assert rec["metrics"]["series"]["loss"]["oid"].startswith("sha256:")
    tsv = trail("show", "p-1", "--series", "loss", cwd=project).stdout.rstrip("\n").split("\n")
    assert len(tsv) == 20001
    assert tsv[-1].split("\t")[0] == "19999"

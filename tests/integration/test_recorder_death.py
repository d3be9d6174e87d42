"""The training survives its recorder: a kill -9 of `trail run` never kills the child through its
output (SIGPIPE on a pipe nobody reads, EIO on a pty whose master is gone), its output keeps
reaching the terminal, and the next trail command records the run with every point."""
import os
import pty
import signal
import subprocess
import threading

from conftest import PYTHON, record, trail, trail_popen, wait_for, write_script

# Prints a numbered line every 20 ms for 2 s, reporting each as a metric and keeping its own count.
CHATTY_CHILD = r"""
import json, os, sys, time
folder = sys.argv[1]
with open(os.path.join(folder, "pid.tmp"), "w") as f:
    f.write(str(os.getpid()))
os.rename(os.path.join(folder, "pid.tmp"), os.path.join(folder, "pid"))
with open(os.environ["TRAIL_METRICS"], "a") as metrics, open(os.path.join(folder, "points"), "a") as own:
    for i in range(100):
        print(f"line {i}", flush=True)
        metrics.write(json.dumps({"step": i, "loss": 100.0 - i}) + "\n")
        metrics.flush()
        own.write(f"{i}\n")
        own.flush()
        time.sleep(0.02)
open(os.path.join(folder, "done"), "w").close()
"""


def points_written(folder):
    p = folder / "points"
    return len(p.read_text().split()) if p.exists() else 0


def kill_trail_midway(proc, folder):
    wait_for(lambda: points_written(folder) >= 5, timeout=20, what="child printing")
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=10)


def check_child_finished_and_run_recovered(project, folder):
    wait_for(lambda: (folder / "done").exists(), timeout=20, what="the child to finish its 100 points")
    assert points_written(folder) == 100
    pid = int((folder / "pid").read_text())
    wait_for(lambda: not os.path.exists(f"/proc/{pid}") or
             open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()[0] in ("Z", "X"),
             timeout=20, what="child exit")
    proc = trail("ls", cwd=project)
    assert "p-1" in proc.stderr  # recovered, with a warning naming it
    rec = record(project, "p-1")
    assert rec["status"] == "crashed"
    loss = rec["metrics"]["summary"]["loss"]
    assert loss["count"] == 100 and loss["last"] == 1.0 and loss["last_step"] == 99


def test_child_writing_to_a_pipe_survives_kill_9_of_trail(project, scripts, tmp_path):
    folder = tmp_path / "child"
    folder.mkdir()
    script = write_script(scripts, "chatty.py", CHATTY_CHILD)
    proc = trail_popen("run", "--", PYTHON, script, str(folder), cwd=project)
    try:
        kill_trail_midway(proc, folder)
        # The relay still holds our pipe and passes on everything the child prints.
        out, _ = proc.communicate(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
    check_child_finished_and_run_recovered(project, folder)
    assert out.decode().splitlines() == [f"line {i}" for i in range(100)]


def test_child_writing_to_a_pty_survives_kill_9_of_trail(project, scripts, tmp_path):
    folder = tmp_path / "child"
    folder.mkdir()
    script = write_script(scripts, "chatty.py", CHATTY_CHILD)
    master, slave = pty.openpty()
    seen = bytearray()

    def drain():
        while True:
            try:
                data = os.read(master, 65536)
            except OSError:  # EIO: every writer of the terminal is gone
                return
            if not data:
                return
            seen.extend(data)

    reader = threading.Thread(target=drain, daemon=True)
    reader.start()
    proc = trail_popen("run", "--", PYTHON, script, str(folder), cwd=project, stdout=slave, stderr=slave)
    os.close(slave)
    try:
        kill_trail_midway(proc, folder)
        check_child_finished_and_run_recovered(project, folder)
        reader.join(timeout=20)
    finally:
        if proc.poll() is None:
            proc.kill()
        os.close(master)
    lines = [l for l in seen.decode(errors="replace").replace("\r", "").splitlines() if l.startswith("line ")]
    assert lines == [f"line {i}" for i in range(100)]

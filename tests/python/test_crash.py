"""kill -9 of a process that started its own run: at most the last second of metrics is lost, and
the next trail command records the run as crashed."""
import os
import signal
import subprocess
import time

from conftest import PYTHON, _ENV, record, series, trail, wait_for, write

STEADY = """
import sys, time, trail
progress = open(sys.argv[1], "w", buffering=1)
trail.start_run(name="doomed")
i = 0
while True:
    trail.log_metric("loss", 1.0 / (i + 1), step=i)
    if i % 10 == 0:
        progress.write(f"{i} {time.time()}\\n")  # what had been logged, and when
    i += 1
    time.sleep(0.002)
"""


def test_sigkill_loses_at_most_the_last_second(project, tmp_path):
    script = write(project, "steady.py", STEADY)
    progress = tmp_path / "progress"
    proc = subprocess.Popen([PYTHON, str(script), str(progress)], cwd=project, env=_ENV,
                            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        def logged():
            text = progress.read_text() if progress.exists() else ""
            lines = [line.split() for line in text.splitlines() if line.count(" ") == 1]
            return lines if lines and int(lines[-1][0]) >= 600 else None
        wait_for(logged, timeout=60, what="600 points logged")
        time.sleep(0.3)
        killed_at = time.time()
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=10)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == -signal.SIGKILL
    lines = [line.split() for line in progress.read_text().splitlines() if line.count(" ") == 1]
    # Every point logged more than a second (plus a flush's own time) before the kill survives.
    must_survive = max(int(i) for i, t in lines if float(t) < killed_at - 1.25)

    assert "p-1" in trail("ls", "--all", cwd=project).stdout  # the next command recovers the run
    rec = record(project, "p-1")
    assert rec["status"] == "crashed"
    assert rec["name"] == "doomed"
    points = series(project, "p-1", "loss")
    steps = [s for s, _ in points]
    assert steps == list(range(len(steps))), "points survive in order, without holes"
    assert len(points) >= must_survive + 1, (len(points), must_survive)
    assert not list((project / ".trail" / "live").iterdir())

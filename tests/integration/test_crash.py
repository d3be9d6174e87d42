"""Crash safety: kill -9 of the child or of trail itself loses nothing; signals reach the child."""
import json
import os
import signal
import subprocess
import time
from pathlib import Path

from conftest import PYTHON, branch_commits, git, git_ok, ls_ids, record, run_dir, trail, trail_popen, wait_for, \
    write_script


def pid_gone(pid):
    """True once `pid` has exited (no such process, or a zombie that closed all its files)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except (FileNotFoundError, ProcessLookupError):
        return True
    return stat.rsplit(")", 1)[1].split()[0] in ("Z", "X")


# Writes `n` metric lines, then says it is ready (its pid in the ready file) and sleeps.
STALLING_CHILD = r"""
import json, os, sys, time
n, ready = int(sys.argv[1]), sys.argv[2]
with open(os.environ["TRAIL_METRICS"], "a") as f:
    for i in range(n):
        f.write(json.dumps({"step": i, "loss": 1.0 / (i + 1)}) + "\n")
        f.flush()
with open(ready + ".tmp", "w") as f:
    f.write(str(os.getpid()))
os.rename(ready + ".tmp", ready)
time.sleep(60)
"""


def test_child_killed_by_sigkill_keeps_metrics_written_so_far(project, scripts, tmp_path):
    script = write_script(scripts, "stall.py", STALLING_CHILD)
    ready = tmp_path / "ready"
    proc = trail_popen("run", "--", PYTHON, script, "7", str(ready), cwd=project)
    try:
        wait_for(ready.exists, timeout=20, what="child ready")
        child = int(ready.read_text())
        os.kill(child, signal.SIGKILL)
        out, err = proc.communicate(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 137, err
    rec = record(project, "p-1")
    assert rec["status"] == "killed"
    assert rec["exit_code"] == 137
    loss = rec["metrics"]["summary"]["loss"]
    assert loss["count"] == 7
    assert loss["max_step"] == 0 and loss["min_step"] == 6 and loss["last"] == 1.0 / 7
    assert not os.listdir(project / ".trail" / "live")


# Writes a metric line every 50 ms for ~1 s, counting what it wrote, then exits. Prints nothing:
# its supervisor (trail) will have been killed and nobody reads its stdout. After 3 points it waits
# for the test's "release" file, so it is certainly still running while the test checks that
# other commands leave its run alone, however slow a loaded machine makes those commands.
STEADY_CHILD = r"""
import json, os, sys, time
folder = sys.argv[1]
with open(os.path.join(folder, "pid.tmp"), "w") as f:
    f.write(str(os.getpid()))
os.rename(os.path.join(folder, "pid.tmp"), os.path.join(folder, "pid"))
written = 0
with open(os.environ["TRAIL_METRICS"], "a") as f:
    for i in range(20):
        f.write(json.dumps({"step": i, "loss": 10.0 - i, "acc": i / 20}) + "\n")
        f.flush()
        written += 1
        with open(os.path.join(folder, "count"), "w") as c:
            c.write(str(written))
        if written == 3:
            deadline = time.time() + 60
            while not os.path.exists(os.path.join(folder, "release")) and time.time() < deadline:
                time.sleep(0.02)
        time.sleep(0.05)
open(os.path.join(folder, "done"), "w").close()
"""


def start_and_kill_trail(project, scripts, folder, run_meanwhile=False):
    """Starts a run of STEADY_CHILD, kill -9s trail while the child runs; returns the child's pid."""
    folder.mkdir()
    script = write_script(scripts, "steady.py", STEADY_CHILD)
    proc = trail_popen("run", "--", PYTHON, script, str(folder), cwd=project,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_for(lambda: (folder / "count").exists() and int((folder / "count").read_text() or 0) >= 3,
                 timeout=20, what="child writing metrics")
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=10)
    finally:
        if proc.poll() is None:
            proc.kill()
    child = int((folder / "pid").read_text())
    assert not pid_gone(child), "the child must outlive its killed supervisor"
    live = project / ".trail" / "live" / "p-1"
    assert live.is_dir()
    # While the child still runs, other commands leave the run alone: it is listed as running,
    # nothing is committed for it yet.
    during = json.loads(trail("ls", "--format", "json", cwd=project).stdout)
    assert [(r["id"], r["status"]) for r in during if r["id"] == "p-1"] in ([], [("p-1", "running")])
    assert not git_ok("cat-file", "-e", "trail:runs/000/p-1/run.yaml", cwd=project)
    assert live.is_dir()
    if run_meanwhile:
        # the orphaned run keeps its number: a new run gets the next one
        assert "recording p-2" in trail("run", "--", "true", cwd=project).stderr
        assert live.is_dir()
    assert not pid_gone(child)
    (folder / "release").touch()
    wait_for(lambda: pid_gone(child), timeout=20, what="child exit")
    assert (folder / "done").exists()
    return int((folder / "count").read_text())


def test_trail_killed_run_is_recovered_as_crashed_by_next_command(project, scripts, tmp_path):
    written = start_and_kill_trail(project, scripts, tmp_path / "b", run_meanwhile=True)
    assert written == 20
    proc = trail("ls", "--format", "json", cwd=project)
    assert "p-1" in proc.stderr and "warning" in proc.stderr
    assert ls_ids(project) == ["p-2", "p-1"]
    assert not (project / ".trail" / "live" / "p-1").exists()
    rec = record(project, "p-1")
    assert rec["status"] == "crashed"
    loss = rec["metrics"]["summary"]["loss"]
    assert loss["count"] == written
    assert loss["last"] == 10.0 - (written - 1) and loss["min"] == 10.0 - (written - 1) and loss["max"] == 10.0
    assert rec["metrics"]["summary"]["acc"]["count"] == written
    tsv = git("show", f"trail:{run_dir('p-1')}/metrics/loss.tsv", cwd=project).split("\n")
    assert len(tsv) == written + 1
    # the crashed run is committed once; the next command does not repeat the warning
    assert len(branch_commits(project)) == 2
    again = trail("ls", cwd=project)
    assert "p-1" not in again.stderr
    assert len(branch_commits(project)) == 2
    # and numbering continues after both
    assert "recording p-3" in trail("run", "--", "true", cwd=project).stderr


def test_recovery_race_records_the_run_once(project, scripts, tmp_path):
    written = start_and_kill_trail(project, scripts, tmp_path / "b")
    procs = [trail_popen(cmd, cwd=project) for cmd in ("ls", "ls", "index")]
    outs = [p.communicate(timeout=30) for p in procs]
    assert all(p.returncode == 0 for p in procs), outs
    commits = branch_commits(project)
    assert len(commits) == 1, commits
    tree = git("ls-tree", "-r", "--name-only", "trail", cwd=project).splitlines()
    assert tree.count("runs/000/p-1/run.yaml") == 1
    warned = [err for _, err in outs if b"p-1" in err]
    assert len(warned) == 1, outs
    rec = record(project, "p-1")
    assert rec["status"] == "crashed"
    assert rec["metrics"]["summary"]["loss"]["count"] == written
    assert not (project / ".trail" / "live" / "p-1").exists()


TRAPPING_CHILD = r"""
import os, signal, sys, time
code, ready = int(sys.argv[1]), sys.argv[2]
def handler(signum, frame):
    print("got signal", signum, flush=True)
    sys.exit(code)
signal.signal(signal.SIGTERM, handler)
signal.signal(signal.SIGINT, handler)
open(ready, "w").close()
time.sleep(30)
sys.exit(99)
"""


def signal_trail(project, scripts, tmp_path, sig, code):
    script = write_script(scripts, "trap.py", TRAPPING_CHILD)
    ready = tmp_path / "ready"
    proc = trail_popen("run", "--", PYTHON, script, str(code), str(ready), cwd=project)
    try:
        wait_for(ready.exists, timeout=20, what="child ready")
        time.sleep(0.05)
        proc.send_signal(sig)
        out, err = proc.communicate(timeout=20)
    finally:
        if proc.poll() is None:
            proc.kill()
    return proc.returncode, out.decode(), err.decode()


def test_sigterm_is_forwarded(project, scripts, tmp_path):
    rc, out, err = signal_trail(project, scripts, tmp_path, signal.SIGTERM, 42)
    assert rc == 42, err
    assert out == f"got signal {int(signal.SIGTERM)}\n"
    rec = record(project, "p-1")
    assert rec["status"] == "failed" and rec["exit_code"] == 42


def test_sigint_sent_with_kill_is_forwarded(project, scripts, tmp_path):
    rc, out, err = signal_trail(project, scripts, tmp_path, signal.SIGINT, 43)
    assert rc == 43, err
    assert out == f"got signal {int(signal.SIGINT)}\n"
    rec = record(project, "p-1")
    assert rec["status"] == "failed" and rec["exit_code"] == 43


def test_sigint_kills_an_untrapping_child_and_is_recorded(project, tmp_path):
    ready = tmp_path / "ready"
    code = ("import os, signal, sys, time\nsignal.signal(signal.SIGINT, signal.SIG_DFL)\n"
            "open(sys.argv[1], 'w').close()\ntime.sleep(30)\n")
    proc = trail_popen("run", "--", PYTHON, "-c", code, str(ready), cwd=project)
    try:
        wait_for(ready.exists, timeout=20, what="child ready")
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=20)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 130, err
    rec = record(project, "p-1")
    assert rec["status"] == "killed" and rec["exit_code"] == 130 and rec["signal"] == 2

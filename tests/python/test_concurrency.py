"""Threads and fork: every point from 8 threads arrives; a forked child never touches its parent's run."""
from conftest import PYTHON, branch_commits, python, record, series, trail, write

THREADS = """
import sys, threading, trail
N = 5000
barrier = threading.Barrier(8)
errors = []

def worker(t):
    try:
        barrier.wait()
        for i in range(N):
            trail.log_metric(f"t{t}", float(i), step=i)      # a series per thread
            trail.log_metric("shared", float(t), step=t * N + i)  # one series, all threads
            if i % 1000 == 0:
                trail.log_params({f"p{t}_{i}": i})
                trail.set_tag(f"tag{t}", str(i))
                trail.flush()
    except Exception as e:
        errors.append(e)

# The first calls of all eight threads race to start the run: exactly one must start.
threads = [threading.Thread(target=worker, args=(t,)) for t in range(8)]
for th in threads:
    th.start()
for th in threads:
    th.join()
print("ERRORS", errors)
print("RUN", trail.active_run().id)
"""


def check_threads_record(project, run_id):
    rec = record(project, run_id)
    assert rec["status"] == "finished"
    summary = rec["metrics"]["summary"]
    for t in range(8):
        assert summary[f"t{t}"]["count"] == 5000
        assert series(project, run_id, f"t{t}") == [(i, float(i)) for i in range(5000)]
    assert summary["shared"]["count"] == 40000
    steps = sorted(step for step, _ in series(project, run_id, "shared"))
    assert steps == list(range(40000))
    assert len([k for k in rec["params"] if k.startswith("p")]) == 8 * 5
    assert set(rec["tags"]) == {f"tag{t}" for t in range(8)}


def test_eight_threads_standalone(project):
    script = write(project, "threads.py", THREADS)
    out = python(script, cwd=project).stdout
    assert "ERRORS []" in out and "RUN p-1" in out
    assert len(branch_commits(project)) == 1
    check_threads_record(project, "p-1")


def test_eight_threads_under_trail_run(project):
    script = write(project, "threads.py", THREADS)
    out = trail("run", "--", PYTHON, script, cwd=project).stdout
    assert "ERRORS []" in out
    check_threads_record(project, "p-1")


FORK = """
import os, sys, trail
with trail.start_run(name="parent") as run:
    trail.log_metric("loss", 1.0, step=0)
    pid = os.fork()
    if pid == 0:
        # The child: its copy of the parent's run is abandoned, never flushed nor finalized.
        try:
            trail.log_metric("loss", 99.0, step=1)
            print("CHILD logged", flush=True)
        except trail.TrailError as e:
            print("CHILD refused:", e, flush=True)
        print("CHILD active", trail.active_run(), flush=True)
        how = sys.argv[1]
        if how == "exit":
            sys.exit(0)      # runs atexit handlers in the child
        if how == "raise":
            raise RuntimeError("child died")
        os._exit(0)
    _, status = os.waitpid(pid, 0)
    trail.log_metric("loss", 2.0, step=2)
print("PARENT", run.record["status"])
"""


def test_fork_child_does_not_touch_the_parent_run(project):
    script = write(project, "fork.py", FORK)
    for n, how in enumerate(("exit", "raise", "os_exit"), start=1):
        proc = python(script, how, cwd=project)
        assert "CHILD refused: this process is a fork of the one recording run" in proc.stdout, proc.stdout
        assert "CHILD active None" in proc.stdout
        assert "PARENT finished" in proc.stdout
        rec = record(project, f"p-{n}")
        assert rec["status"] == "finished"
        assert series(project, f"p-{n}", "loss") == [(0, 1.0), (2, 2.0)]
    # one commit per parent run: no child finalized anything, nothing left live
    assert len(branch_commits(project)) == 3
    assert not list((project / ".trail" / "live").iterdir())


def test_forked_child_may_start_its_own_run(project):
    script = write(project, "fork_own.py", """
import os, trail
with trail.start_run(name="parent"):
    trail.log_metric("loss", 1.0)
    pid = os.fork()
    if pid == 0:
        with trail.start_run(name="child"):
            trail.log_metric("child_loss", 5.0)
        os._exit(0)
    os.waitpid(pid, 0)
""")
    python(script, cwd=project)
    names = {record(project, r)["name"]: record(project, r) for r in ("p-1", "p-2")}
    assert set(names) == {"parent", "child"}
    assert list(names["parent"]["metrics"]["summary"]) == ["loss"]
    assert list(names["child"]["metrics"]["summary"]) == ["child_loss"]
    assert names["child"]["status"] == names["parent"]["status"] == "finished"


def test_multiprocessing_fork_pool_under_trail_run(project):
    # Under trail run, a forked worker joins the same run through $TRAIL_METRICS: its points count.
    script = write(project, "pool.py", """
import multiprocessing as mp, trail

def work(i):
    trail.log_metric("worker", float(i), step=i)
    trail.flush()
    return i

if __name__ == "__main__":
    trail.log_metric("main", 1.0)
    with mp.get_context("fork").Pool(2) as pool:
        print(sum(pool.map(work, range(20))))
""")
    out = trail("run", "--", PYTHON, script, cwd=project).stdout
    assert "190" in out
    rec = record(project, "p-1")
    assert rec["metrics"]["summary"]["worker"]["count"] == 20
    assert sorted(s for s, _ in series(project, "p-1", "worker")) == list(range(20))


def test_daemon_thread_still_logging_at_exit(project):
    # The run ends at exit while a daemon thread is still logging: one run, finalized once; the
    # thread's late calls do not start another.
    script = write(project, "daemon.py", """
import threading, time, trail
trail.start_run(name="main")
def spin():
    i = 0
    while True:
        trail.log_metric("spin", float(i), step=i)
        i += 1
threading.Thread(target=spin, daemon=True).start()
time.sleep(0.3)
""")
    python(script, cwd=project)
    rec = record(project, "p-1")
    assert rec["status"] == "finished" and rec["metrics"]["summary"]["spin"]["count"] > 0
    assert len(branch_commits(project)) == 1
    assert not list((project / ".trail" / "live").iterdir())

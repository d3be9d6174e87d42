"""trail run: the command runs as if trail were not there, and its record is complete."""
import datetime as dt
import json
import os
import socket
import subprocess
import time

import yaml

from conftest import PYTHON, TRAIL, env_with, git, init_project, make_git_repo, py, record, run_dir, trail, \
    write_script


def iso(t):
    """Unix seconds of a record timestamp (PyYAML may already have parsed it to a datetime)."""
    if isinstance(t, dt.datetime):
        return (t if t.tzinfo else t.replace(tzinfo=dt.timezone.utc)).timestamp()
    return dt.datetime.strptime(t, "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=dt.timezone.utc).timestamp()


CHILD_STREAMS = r"""
import sys
sys.stdout.buffer.write(b"out line 1\n\x00\xff binary \xe2\x82\xac\nno newline at end")
sys.stdout.flush()
sys.stderr.buffer.write(b"err line A\n\tindented \xfe\nerr line B\n")
sys.stderr.flush()
"""


def test_stdout_and_stderr_pass_through_separately_and_unchanged(project, scripts):
    script = write_script(scripts, "streams.py", CHILD_STREAMS)
    proc = trail("run", "--", PYTHON, script, cwd=project, text=False)
    assert proc.stdout == b"out line 1\n\x00\xff binary \xe2\x82\xac\nno newline at end"
    err = proc.stderr
    assert b"err line A\n\tindented \xfe\nerr line B\n" in err
    assert b"out line" not in err
    # What trail itself says goes to stderr, on its own lines, around the child's output.
    assert err.startswith(b"trail: recording p-1\n")
    rest = err[len(b"trail: recording p-1\n"):]
    assert rest.startswith(b"err line A\n\tindented \xfe\nerr line B\n")
    assert all(line.startswith(b"trail: ") for line in rest[len(b"err line A\n\tindented \xfe\nerr line B\n"):].splitlines())


def test_stdin_reaches_the_child(project):
    proc = trail("run", "--", *py("import sys; print(sys.stdin.read().upper())"), cwd=project,
                 input="hello from a pipe\nsecond line\n")
    assert proc.stdout == "HELLO FROM A PIPE\nSECOND LINE\n\n"


def test_exit_codes_status_and_sequential_ids(project):
    ok = trail("run", "--", *py("print('fine')"), cwd=project)
    assert ok.returncode == 0
    assert "trail: recording p-1" in ok.stderr
    bad = trail("run", "--", *py("import sys; sys.exit(3)"), cwd=project, check=False)
    assert bad.returncode == 3
    assert "trail: recording p-2" in bad.stderr
    third = trail("run", "--", "true", cwd=project)
    assert "trail: recording p-3" in third.stderr

    r1, r2, r3 = record(project, "p-1"), record(project, "p-2"), record(project, "p-3")
    assert (r1["id"], r1["number"]) == ("p-1", 1)
    assert (r2["id"], r2["number"]) == ("p-2", 2)
    assert (r3["id"], r3["number"]) == ("p-3", 3)
    assert r1["status"] == "finished" and r1["exit_code"] == 0
    assert r2["status"] == "failed" and r2["exit_code"] == 3
    uids = {r["uid"] for r in (r1, r2, r3)}
    assert len(uids) == 3 and all(isinstance(u, str) and len(u) >= 16 for u in uids)
    # one commit per finished run on the runs branch
    assert len(git("log", "--format=%H", "trail", cwd=project).splitlines()) == 3


def test_child_killed_by_sigkill(project):
    proc = trail("run", "--", *py("import os, signal; print('dying', flush=True); os.kill(os.getpid(), signal.SIGKILL)"),
                 cwd=project, check=False)
    assert proc.returncode == 137
    assert proc.stdout == "dying\n"
    rec = record(project, "p-1")
    assert rec["status"] == "killed"
    assert rec["exit_code"] == 137
    assert rec.get("signal") == 9


def test_command_not_found(project):
    proc = trail("run", "--", "no-such-program-xyz", "--lr", "1", cwd=project, check=False)
    assert proc.returncode == 127
    lines = [l for l in proc.stderr.splitlines() if "no-such-program-xyz" in l]
    assert len(lines) == 1, proc.stderr
    assert "trail:" in lines[0]
    assert "No such file" in lines[0] or "not found" in lines[0]
    # Nothing is left running or half-recorded.
    assert not any((project / ".trail" / "live").iterdir())
    rec = record(project, "p-1")
    assert rec["status"] == "failed" and rec["exit_code"] == 127


def test_user_from_git_config_and_trail_user_override(project):
    trail("run", "--", "true", cwd=project)
    rec = record(project, "p-1")
    assert rec["user"] == {"name": "Ann Lee", "email": "ann@example.org"}
    trail("run", "--", "true", cwd=project, env=env_with(TRAIL_USER="Xavier Yu <x@y.org>"))
    rec = record(project, "p-2")
    assert rec["user"] == {"name": "Xavier Yu", "email": "x@y.org"}


def test_host_command_cwd_and_times(project):
    (project / "src" / "deep").mkdir()
    before = time.time()
    trail("run", "--", *py("import time; time.sleep(0.3)"), cwd=project / "src" / "deep")
    after = time.time()
    rec = record(project, "p-1")
    assert rec["host"] == socket.gethostname()
    assert rec["command"] == [PYTHON, "-c", "import time; time.sleep(0.3)"]
    assert rec["cwd"] == "src/deep"
    started, ended = iso(rec["started"]), iso(rec["ended"])
    assert before - 1 <= started <= ended <= after + 1
    assert rec["duration_s"] >= 0.3
    assert abs(rec["duration_s"] - (ended - started)) < 0.01
    assert rec["duration_s"] < after - before + 0.5
    trail("run", "--", "true", cwd=project)
    assert record(project, "p-2")["cwd"] == "."


def test_record_is_canonical_yaml_with_stable_key_order(project):
    trail("run", "-p", "lr=0.5", "--", "true", cwd=project)
    text = git("show", f"trail:{run_dir('p-1')}/run.yaml", cwd=project)
    keys = [l.split(":")[0] for l in text.splitlines() if l and not l.startswith((" ", "-", "#"))]
    for first, second in [("id", "number"), ("number", "uid"), ("uid", "status"), ("status", "user"),
                          ("started", "ended"), ("command", "cwd"), ("code", "params")]:
        assert keys.index(first) < keys.index(second), keys
    rec = yaml.safe_load(text)
    assert rec["params"] == {"lr": 0.5}


def test_stdout_and_stderr_to_the_same_file_keep_their_order(project, tmp_path):
    code = ("import sys\n"
            "for i in range(300):\n"
            "    s = sys.stdout if i % 2 == 0 else sys.stderr\n"
            "    s.write('line %d\\n' % i); s.flush()\n")
    log = tmp_path / "both.log"
    with open(log, "wb") as f:
        proc = subprocess.run([TRAIL, "run", "--", PYTHON, "-c", code], cwd=project, stdout=f, stderr=f,
                              env=env_with(), stdin=subprocess.DEVNULL)
    assert proc.returncode == 0
    lines = [l for l in log.read_text().splitlines() if not l.startswith("trail: ")]
    assert lines == ["line %d" % i for i in range(300)]


def test_large_stdin_and_output_pass_through(project):
    data = "".join("row %06d some payload text\n" % i for i in range(40000))  # ~1 MiB
    proc = trail("run", "--", *py("import sys; d = sys.stdin.read(); sys.stdout.write(d[::-1])"), cwd=project,
                 input=data)
    assert proc.stdout == data[::-1]


def test_high_exit_code_is_failure_not_kill(project):
    proc = trail("run", "--", *py("import sys; sys.exit(200)"), cwd=project, check=False)
    assert proc.returncode == 200
    rec = record(project, "p-1")
    assert rec["status"] == "failed" and rec["exit_code"] == 200 and "signal" not in rec


def test_child_environment(project):
    code = ("import os, json; print(json.dumps({k: os.environ.get(k) for k in "
            "['TRAIL_RUN_ID', 'TRAIL_METRICS', 'TRAIL_RUN_UID', 'MY_VAR']}))")
    proc = trail("run", "--", *py(code), cwd=project, env=env_with(MY_VAR="kept", TRAIL_RUN_ID="stale"))
    seen = json.loads(proc.stdout)
    assert seen["TRAIL_RUN_ID"] == "p-1"
    assert seen["MY_VAR"] == "kept"
    assert os.path.isabs(seen["TRAIL_METRICS"])
    assert seen["TRAIL_RUN_UID"] == record(project, "p-1")["uid"]


def test_background_grandchild_does_not_hold_trail(project):
    start = time.monotonic()
    proc = trail("run", "--", "sh", "-c", "(sleep 4; echo late) & echo hi", cwd=project, timeout=30)
    took = time.monotonic() - start
    assert proc.stdout.startswith("hi\n")
    assert took < 3, f"trail waited {took:.1f}s for a background process the command left behind"
    assert record(project, "p-1")["status"] == "finished"


def test_run_name_and_project_with_dash(tmp_path):
    repo = make_git_repo(tmp_path / "shop")
    init_project(repo, "fraud-detect")
    trail("run", "--name", "baseline", "--", "true", cwd=repo)
    trail("run", "--", "true", cwd=repo)
    rec = record(repo, "fraud-detect-1")
    assert rec["id"] == "fraud-detect-1" and rec["number"] == 1 and rec["name"] == "baseline"
    assert git("show", "trail:runs/000/fraud-detect-2/run.yaml", cwd=repo)
    assert trail("show", "fraud-detect-1", cwd=repo).stdout.startswith('Run fraud-detect-1 "baseline"')
    assert trail("show", "2", cwd=repo).stdout.startswith("Run fraud-detect-2")
    assert [r["id"] for r in json.loads(trail("ls", "--format", "json", cwd=repo).stdout)] == \
        ["fraud-detect-2", "fraud-detect-1"]


def test_commands_work_from_a_subdirectory(project):
    sub = project / "src"
    trail("run", "-p", "a=1", "--", "true", cwd=sub)
    assert json.loads(trail("ls", "--format", "json", cwd=sub).stdout)[0]["id"] == "p-1"
    assert trail("show", "p-1", cwd=sub).stdout.startswith("Run p-1")
    trail("tag", "p-1", "k=v", cwd=sub)
    assert record(project, "p-1")["tags"] == {"k": "v"}


def test_entry_point(project):
    (project / "train.py").write_text("print('train')\n")
    (project / "pkg").mkdir()
    (project / "pkg" / "__init__.py").write_text("")
    (project / "pkg" / "fit.py").write_text("print('fit')\n")
    trail("run", "--", PYTHON, "train.py", "--epochs", "1", cwd=project)
    trail("run", "--", PYTHON, "../train.py", cwd=project / "src")
    trail("run", "--", PYTHON, "-u", str(project / "train.py"), cwd=project)
    trail("run", "--", PYTHON, "-m", "pkg.fit", cwd=project)
    assert record(project, "p-1")["code"]["entry_point"] == "train.py"
    assert record(project, "p-2")["code"]["entry_point"] == "train.py"
    assert record(project, "p-3")["code"]["entry_point"] == "train.py"
    assert record(project, "p-4")["code"]["entry_point"] == "pkg.fit"

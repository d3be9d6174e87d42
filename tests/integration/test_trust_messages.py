"""Messages that must not mislead, and readers that must not be made to fail or balloon (issue 13)."""
import json
import os
import sqlite3
import subprocess
import shutil

import pytest

from conftest import PYTHON, TRAIL, git, ls_ids, record, run_dir, trail, write_script
from test_bad_input import commit_blob_on_branch


def one_error_line(proc, ignore=()):
    lines = [l for l in proc.stderr.splitlines() if l.strip() and not l.startswith(ignore)]
    assert len(lines) == 1, proc.stderr
    assert lines[0].startswith("trail: error: "), proc.stderr
    return lines[0]


@pytest.mark.parametrize("target", ["tree", "blob", "missing"])
def test_ls_on_a_damaged_runs_ref_is_an_error_naming_it(project, target):
    trail("run", "--", "true", cwd=project)
    oid = {
        "tree": git("rev-parse", "trail^{tree}", cwd=project),
        "blob": git("rev-parse", f"trail:{run_dir('p-1')}/run.yaml", cwd=project),
        "missing": "1234567890abcdef1234567890abcdef12345678",
    }[target]
    # git update-ref refuses a non-commit on a branch: damage it the way a broken tool would.
    (project / ".git" / "refs" / "heads" / "trail").write_text(oid + "\n")
    (project / ".trail" / "index.sqlite").unlink(missing_ok=True)
    proc = trail("ls", cwd=project, check=False)
    assert proc.returncode != 0
    line = one_error_line(proc)
    assert "refs/heads/trail" in line and "damaged" in line and oid in line
    assert "no runs" not in proc.stdout + proc.stderr


def test_command_not_found_is_failed_with_a_clear_reason(project):
    proc = trail("run", "--", "no-such-program-xyz", cwd=project, check=False)
    assert proc.returncode == 127
    assert "command not found: no-such-program-xyz" in proc.stderr
    rec = record(project, "p-1")
    assert rec["status"] == "failed" and rec["exit_code"] == 127
    assert "command not found: no-such-program-xyz" in rec["warnings"]


def test_command_not_executable_is_failed(project, scripts):
    script = scripts / "not-executable.sh"
    script.write_text("#!/bin/sh\necho hi\n")
    script.chmod(0o644)
    proc = trail("run", "--", str(script), cwd=project, check=False)
    assert proc.returncode == 126
    rec = record(project, "p-1")
    assert rec["status"] == "failed" and rec["exit_code"] == 126


def test_record_nested_too_deeply_is_named(project, tmp_path):
    trail("run", "--", "true", cwd=project)
    deep = "id: p-2\nnumber: 2\nparams:\n  x: " + "[" * 1000 + "]" * 1000 + "\n"
    commit_blob_on_branch(project, tmp_path, "runs/000/p-2/run.yaml", deep)
    proc = trail("ls", cwd=project)
    assert "runs/000/p-2/run.yaml: line 4: nested too deeply" in proc.stderr
    assert "bad file" not in proc.stderr


def test_tampered_index_is_found_and_rebuilt_by_trail_index(project):
    for i in range(3):
        trail("run", "-p", f"x={i}", "--", "true", cwd=project)
    assert ls_ids(project, "--where", "params.x = 1") == ["p-2"]
    db = sqlite3.connect(project / ".trail" / "index.sqlite")
    db.execute("UPDATE params SET num = 7, text = '7' WHERE key = 'x' AND num = 1")
    db.execute("DELETE FROM runs WHERE id = 'p-3'")
    db.commit()
    db.close()
    assert ls_ids(project, "--where", "params.x = 7") == ["p-2"]  # the tampered file is believed...
    proc = trail("index", cwd=project)
    assert "does not match" in proc.stderr and "rebuild" in proc.stderr
    assert ls_ids(project, "--where", "params.x = 7") == []  # ...until `trail index` checks it
    assert ls_ids(project, "--where", "params.x = 1") == ["p-2"]
    assert ls_ids(project) == ["p-3", "p-2", "p-1"]
    again = trail("index", cwd=project)
    assert "warning" not in again.stderr


# Writes a good point, a 200 MB line in 1 MB pieces (to the metrics file and to stdout), a newline,
# and another good point: the reader must skip the long line, not hold it.
LONG_LINE_CHILD = r"""
import json, os, sys
piece = "x" * (1 << 20)
with open(os.environ["TRAIL_METRICS"], "a") as m:
    m.write(json.dumps({"step": 0, "loss": 1.0}) + "\n")
    for _ in range(200):
        m.write(piece)
        sys.stdout.write(piece)
    m.write("\n")
    sys.stdout.write("\n")
    m.write(json.dumps({"step": 1, "loss": 0.5}) + "\n")
"""


def test_a_200_mb_metrics_line_is_skipped_with_bounded_memory(project, scripts):
    script = write_script(scripts, "long_line.py", LONG_LINE_CHILD)
    measure = ("import resource, subprocess, sys\n"
               "p = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)\n"
               "print(p.returncode, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)\n"
               "sys.stderr.write(p.stderr)\n")
    proc = subprocess.run([PYTHON, "-c", measure, TRAIL, "run", "--", PYTHON, script], cwd=project,
                          capture_output=True, text=True, timeout=120)
    code, max_rss_kib = map(int, proc.stdout.split())
    assert code == 0, proc.stderr
    assert max_rss_kib < 100 * 1024, f"trail grew to {max_rss_kib // 1024} MiB"
    warnings = [l for l in proc.stderr.splitlines() if "skipped" in l]
    assert len(warnings) == 1, proc.stderr
    assert "TRAIL_METRICS line 2" in warnings[0] and str(200 * (1 << 20)) in warnings[0]
    loss = record(project, "p-1")["metrics"]["summary"]["loss"]
    assert loss["count"] == 2 and loss["last"] == 0.5


@pytest.mark.skipif(os.geteuid() != 0 or not shutil.which("mount"), reason="needs root to mount a small tmpfs")
def test_program_that_exits_0_on_a_full_disk_is_recorded_finished(tmp_path):
    from conftest import init_project, make_git_repo
    disk = tmp_path / "disk"
    disk.mkdir()
    if subprocess.run(["mount", "-t", "tmpfs", "-o", "size=8m", "tmpfs", str(disk)]).returncode != 0:
        pytest.skip("cannot mount a tmpfs here")
    try:
        project = disk / "proj"
        make_git_repo(project)
        init_project(project)
        filler = disk / "filler"
        fill = (f"import os\nfd = os.open({str(filler)!r}, os.O_WRONLY | os.O_CREAT)\n"
                "try:\n    while True: os.write(fd, b'x' * 4096)\nexcept OSError: pass\n")
        proc = trail("run", "--", PYTHON, "-c", fill, cwd=project, check=False)
        assert proc.returncode != 0
        line = one_error_line(proc, ignore=("trail: recording",))
        assert "p-1" in line and "exited with code 0" in line and "could not be written" in line
        filler.unlink()
        trail("ls", cwd=project)
        rec = record(project, "p-1")
        assert rec["status"] == "finished" and rec["exit_code"] == 0
    finally:
        subprocess.run(["umount", "-l", str(disk)])

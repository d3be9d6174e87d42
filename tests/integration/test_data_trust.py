"""What `trail add`, `--artifact` and the configured artifact folders take in (issue 13, "Trust"):
symbolic links, names Git or JSON cannot hold as they are, the repository's own folders, and the
temp files a killed checkout or push leaves behind. Bad input gets one line naming it, a non-zero
exit (never a crash) and nothing written."""
import os
import signal
import subprocess
import time
from pathlib import Path

import yaml

from conftest import PYTHON, git, git_ok, record, trail, trail_popen
from test_data_versioning import random_file, store_files
from test_remotes import MiB, make_origin, write_random


def fs_name(raw):
    """A file name given as bytes, as the str that os and subprocess turn back into those bytes."""
    return os.fsdecode(raw)


def assert_refused(proc, *fragments):
    assert proc.returncode == 1, (proc.returncode, proc.stderr)
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("trail: error: "), proc.stderr
    for f in fragments:
        assert f in lines[0], (f, lines[0])


def pointers(repo):
    return [p for p in Path(repo).glob("*.trail") if p.is_file()]


def untracked_and_unignored(repo):
    return set(git("ls-files", "--others", "--exclude-standard", "-z", cwd=repo).split("\0")) - {""}


# ----------------------------------------------------------------------------------------------
# The repository itself and its own folders (item 17).


def test_add_refuses_the_repository_its_own_folders_and_outside_paths(project, tmp_path):
    (project / "sub").mkdir()
    (project / "sub" / "x.csv").write_text("x\n1\n")
    before = store_files(project)
    cases = [
        ((".",), "is the repository itself"),
        (("sub/..",), "is the repository itself"),
        ((str(project) + "/",), "is the repository itself"),
        ((".git",), ".git is Git's own folder"),
        ((".trail",), ".trail is trail's own folder"),
        ((".trail/config.yaml",), ".trail/config.yaml is inside .trail/"),
        (("../outside.csv",), "is outside the repository"),
    ]
    for args, message in cases:
        proc = trail("add", *args, cwd=project, check=False)
        assert_refused(proc, message)
    # From a subfolder, "." is that folder, which is fine; ".." is the root, which is not.
    assert_refused(trail("add", "..", cwd=project / "sub", check=False), "is the repository itself")
    assert_refused(trail("status", ".", cwd=project, check=False), "is the repository itself")
    assert_refused(trail("checkout", ".", cwd=project, check=False), "is the repository itself")
    assert store_files(project) == before
    assert not (project / ".gitignore").exists() and not pointers(project)


# ----------------------------------------------------------------------------------------------
# Symbolic links (item 3).


def test_add_refuses_a_link_and_a_path_through_a_linked_folder(project, tmp_path):
    secret = tmp_path / "secret"
    secret.mkdir()
    (secret / "key.pem").write_text("-----BEGIN PRIVATE KEY-----\n")
    os.symlink(secret / "key.pem", project / "key.pem")
    os.symlink(secret, project / "linked")
    before = store_files(project)
    assert_refused(trail("add", "key.pem", cwd=project, check=False), "key.pem is a symbolic link", str(secret))
    assert_refused(trail("add", "linked/key.pem", cwd=project, check=False), "linked is a symbolic link")
    assert_refused(trail("add", "linked", cwd=project, check=False), "linked is a symbolic link")
    assert store_files(project) == before
    assert not pointers(project) and not (project / ".gitignore").exists()


def test_links_inside_an_added_folder_are_skipped_with_a_warning(project, tmp_path):
    (tmp_path / "secret.txt").write_text("password=hunter2\n")
    d = project / "d"
    d.mkdir()
    (d / "a.csv").write_text("x\n1\n")
    os.symlink(tmp_path / "secret.txt", d / "leak.txt")
    os.symlink("a.csv", d / "alias.csv")
    proc = trail("add", "d", cwd=project)
    assert "trail: warning: not stored: d/leak.txt is a symbolic link" in proc.stderr
    assert "trail: warning: not stored: d/alias.csv is a symbolic link" in proc.stderr
    pointer = yaml.safe_load((project / "d.trail").read_text())
    assert pointer["files"] == 1 and pointer["size"] == 4
    # The secret is nowhere in the store, and a checkout brings back the file only.
    for f in (project / ".git" / "trail" / "store").rglob("*"):
        if f.is_file():
            assert b"hunter2" not in f.read_bytes(), f
    assert "all up to date" in trail("status", cwd=project).stdout
    subprocess.run(["rm", "-rf", str(d)], check=True)
    trail("checkout", cwd=project)
    assert sorted(p.name for p in d.iterdir()) == ["a.csv"]


def test_artifact_links_are_refused_at_the_start_and_skipped_at_the_end(project, tmp_path, scripts):
    (tmp_path / "secret.txt").write_text("password=hunter2\n")
    os.symlink(tmp_path / "secret.txt", project / "model.pt")
    proc = trail("run", "--artifact", "model.pt", "--", PYTHON, "-c", "pass", cwd=project, check=False)
    assert_refused(proc, "--artifact", "model.pt is a symbolic link")
    # A configured folder that is a link: refused the same way.
    os.symlink(tmp_path, project / "ckpts")
    config = project / ".trail" / "config.yaml"
    saved = config.read_text()
    cfg = yaml.safe_load(saved)
    cfg["artifacts"] = ["ckpts"]
    config.write_text(yaml.safe_dump(cfg))
    proc = trail("run", "--", PYTHON, "-c", "pass", cwd=project, check=False)
    assert_refused(proc, ".trail/config.yaml: artifacts", "ckpts is a symbolic link")
    config.write_text(saved)
    # Links the run makes inside an artifact folder: a warning each, never followed.
    script = scripts / "train.py"
    script.write_text(
        "import os\n"
        "os.makedirs('models', exist_ok=True)\n"
        "open('models/w.pt', 'wb').write(b'weights')\n"
        f"os.symlink({str(tmp_path / 'secret.txt')!r}, 'models/latest.pt')\n")
    proc = trail("run", "--artifact", "models", "--", PYTHON, str(script), cwd=project)
    assert "artifact models/latest.pt not stored: a symbolic link" in proc.stderr
    rec = record(project, _run_ids(project)[-1])
    assert [a["path"] for a in rec["artifacts"]] == ["models/w.pt"]
    assert any("models/latest.pt" in w for w in rec["warnings"])


def _run_ids(repo):
    """Ids of the recorded runs, oldest first."""
    out = git("ls-tree", "-r", "--name-only", "trail", cwd=repo)
    ids = {line.split("/")[2] for line in out.splitlines() if line.endswith("/run.yaml")}
    return sorted(ids, key=lambda i: int(i.rsplit("-", 1)[1]))


# ----------------------------------------------------------------------------------------------
# Names that are not UTF-8 (item 13).


def test_add_refuses_a_name_that_is_not_utf8_without_crashing(project):
    d = project / "d"
    d.mkdir()
    (d / "ok.csv").write_text("x\n1\n")
    (d / fs_name(b"bad\xff.csv")).write_text("x\n2\n")
    before = store_files(project)
    assert_refused(trail("add", "d", cwd=project, check=False), "d/bad\\xff.csv", "not valid UTF-8")
    (project / fs_name(b"top\xfe.bin")).write_bytes(b"1234")
    assert_refused(trail("add", fs_name(b"top\xfe.bin"), cwd=project, check=False), "top\\xfe.bin", "not valid UTF-8")
    assert store_files(project) == before
    assert not (project / "d.trail").exists() and not (project / ".gitignore").exists()


def test_status_of_a_folder_that_gained_a_name_that_is_not_utf8_says_modified(project):
    d = project / "d"
    d.mkdir()
    (d / "ok.csv").write_text("x\n1\n")
    trail("add", "d", cwd=project)
    (d / fs_name(b"new\xff.csv")).write_text("x\n2\n")
    assert "modified  d" in trail("status", cwd=project).stdout
    assert_refused(trail("checkout", cwd=project, check=False), "changes that are not stored would be lost: d")
    assert_refused(trail("add", "d", cwd=project, check=False), "d/new\\xff.csv", "not valid UTF-8")


def test_artifact_names_that_are_not_utf8_are_warnings_not_a_crash(project, scripts):
    models = project / "models"
    models.mkdir()
    (models / fs_name(b"old\xff.pt")).write_bytes(b"old")  # there at the start
    script = scripts / "train.py"
    script.write_text(
        "open('models/w.pt', 'wb').write(b'weights')\n"
        "open(b'models/new\\xfe.pt', 'wb').write(b'new')\n")
    proc = trail("run", "--artifact", "models", "--", PYTHON, str(script), cwd=project, check=False)
    assert proc.returncode == 0, proc.stderr
    assert "models/new\\xfe.pt: the name is not valid UTF-8" in proc.stderr
    rec = record(project, _run_ids(project)[-1])
    assert [a["path"] for a in rec["artifacts"]] == ["models/w.pt"]


# ----------------------------------------------------------------------------------------------
# .gitignore lines (item 14).


def test_gitignore_lines_match_exactly_the_added_name(project):
    names = ["d[1].bin", "star*.bin", "q?.bin", "back\\slash.bin", "!bang.bin", "#hash.bin", "trail ", "sp ace.bin"]
    decoys = ["d1.bin", "starX.bin", "qq.bin", "backslash.bin", "bang.bin", "hash.bin", "trail", "other.bin"]
    for n in names + decoys:
        (project / n).write_text(n)
    trail("add", *names, cwd=project)
    for n in names:
        assert git_ok("check-ignore", "-q", "--no-index", n, cwd=project), n
    left = untracked_and_unignored(project)
    assert left >= set(decoys), left - set(decoys)
    assert not (left & set(names)), left & set(names)


def test_a_name_with_a_line_break_is_refused(project):
    (project / "two\nlines.bin").write_text("x")
    (project / "cr\r.bin").write_text("x")
    before = store_files(project)
    assert_refused(trail("add", "two\nlines.bin", cwd=project, check=False), "two\\nlines.bin", ".gitignore")
    assert_refused(trail("add", "cr\r.bin", cwd=project, check=False), "cr\\x0d.bin", ".gitignore")
    assert store_files(project) == before
    assert not (project / ".gitignore").exists()


# ----------------------------------------------------------------------------------------------
# Temp files of killed writers (item 15).


def _kill_when(proc, predicate, timeout=60):
    deadline = time.monotonic() + timeout
    while proc.poll() is None and time.monotonic() < deadline:
        if predicate():
            break
        time.sleep(0.001)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    assert proc.returncode == -signal.SIGKILL, "it finished before it could be killed"


def test_a_killed_checkout_leaves_an_ignored_temp_that_the_next_status_removes(project):
    big = random_file(project / "data" / "big.bin", 300_000_000, seed=11)
    want = subprocess.run(["sha256sum", str(big)], capture_output=True, text=True).stdout.split()[0]
    trail("add", "data/big.bin", cwd=project, timeout=300)
    git("add", "data/big.bin.trail", "data/.gitignore", cwd=project)
    git("commit", "-q", "-m", "data", cwd=project)
    big.unlink()

    def temps():  # any temp name trail ever used, so that the test fails on the old one too
        return [p for p in big.parent.iterdir() if p.name.startswith("big.bin.") and "tmp-" in p.name]

    proc = trail_popen("checkout", cwd=project)
    _kill_when(proc, temps)
    assert temps(), list(big.parent.iterdir())
    # Git does not see it, so `git add -A` cannot commit it...
    assert untracked_and_unignored(project) == set()
    # ...and the next status removes it (its writer is dead), then checkout finishes the job.
    out = trail("status", cwd=project).stdout
    assert "missing" in out and "data/big.bin" in out
    assert not temps()
    trail("checkout", cwd=project, timeout=300)
    assert subprocess.run(["sha256sum", str(big)], capture_output=True, text=True).stdout.split()[0] == want


def test_a_live_writers_temp_is_left_alone(project):
    (project / "a.bin").write_bytes(b"abc")
    trail("add", "a.bin", cwd=project)
    sleeper = subprocess.Popen(["sleep", "30"])
    try:
        live = project / f"a.bin.trail.tmp-{sleeper.pid}-1"
        dead = project / "a.bin.trail.tmp-999999999-1"
        live.write_bytes(b"half")
        dead.write_bytes(b"half")
        trail("status", cwd=project)
        assert live.exists() and not dead.exists()
    finally:
        sleeper.kill()
        sleeper.wait()


def test_a_killed_push_leaves_a_temp_on_the_folder_remote_that_a_later_push_removes(tmp_path):
    a, _ = make_origin(tmp_path, with_data=False)
    write_random(a / "big" / "model.bin", 200 * MiB, seed=None)
    trail("add", "big/model.bin", cwd=a, timeout=300)
    remote = tmp_path / "store-remote"
    trail("remote", "add", "origin", str(remote), cwd=a)

    def remote_temps():
        return [p for p in remote.rglob("*") if ".trail-tmp-" in p.name] if remote.exists() else []

    proc = trail_popen("push", "--no-git", "--jobs", "1", cwd=a)
    _kill_when(proc, lambda: remote_temps())
    temps = remote_temps()
    assert temps
    # A fresh temp could be another machine's upload in progress: the next push keeps it...
    trail("push", "--no-git", cwd=a, timeout=120)
    assert all(t.exists() for t in temps)
    # ...and one nobody has written for over an hour is removed by the push after that.
    old = time.time() - 7200
    for t in temps:
        os.utime(t, (old, old))
    trail("push", "--no-git", cwd=a, timeout=120)
    assert remote_temps() == []

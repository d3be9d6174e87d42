"""Terminal output (docs/cli.md, "Terminal output"): the progress line of long operations and
colour, each rule driven through the real binary, piped and on a pseudo-terminal."""
import json
import os
import pty
import re

import pytest

from conftest import TRAIL, env_with, git, init_project, make_git_repo, trail

ESC = re.compile(r"\x1b\[[0-9;]*m")
FILES = 120


@pytest.fixture(scope="module")
def proj(tmp_path_factory):
    """A project with a tracked folder, a folder remote, and three runs (finished, failed, and one
    with an artifact and other code)."""
    base = tmp_path_factory.mktemp("terminal")
    repo = make_git_repo(base / "shop")
    init_project(repo, "p")
    (repo / "train.py").write_text("print('one')\n")
    git("add", "train.py", cwd=repo)
    git("commit", "-qm", "train", cwd=repo)
    data = repo / "data"
    data.mkdir()
    for i in range(FILES):
        (data / f"part-{i:03}.bin").write_bytes(os.urandom(2048) + bytes([i]))
    trail("run", "--", "python3", "train.py", cwd=repo)
    trail("run", "--", "false", cwd=repo, check=False)
    (repo / "train.py").write_text("print('two')\nopen('model.bin', 'wb').write(b'w' * 50000)\n")
    trail("run", "--artifact", "model.bin", "--", "python3", "train.py", cwd=repo)
    (base / "remote").mkdir()
    trail("remote", "add", "origin", str(base / "remote"), cwd=repo)
    return {"repo": repo, "base": base}


def on_tty(args, cwd, **env):
    """Runs trail with stdout and stderr on one pseudo-terminal; returns what the terminal got."""
    environment = env_with(**env)
    pid, fd = pty.fork()
    if pid == 0:  # the child: exec at once
        os.chdir(str(cwd))
        os.execve(TRAIL, [TRAIL, *args], environment)
    out = b""
    while True:
        try:
            chunk = os.read(fd, 65536)
        except OSError:
            break
        if not chunk:
            break
        out += chunk
    os.waitpid(pid, 0)
    os.close(fd)
    return out.decode("utf-8", "replace")


# --- progress ---------------------------------------------------------------------------------


def test_piped_output_has_no_progress_and_progress_forces_it(proj):
    repo = proj["repo"]
    plain = trail("add", "data", cwd=repo)
    assert "Adding data" not in plain.stderr and "\x1b[K" not in plain.stderr
    git("add", "data.trail", ".gitignore", cwd=repo)
    git("commit", "-qm", "data", cwd=repo)
    # Again, forced: everything is stored already, and the line still counts every file.
    forced = trail("add", "--progress", "data", cwd=repo)
    # (Text mode reads the line's "\r" as a line break.)
    assert f"Adding data: 100% ({FILES}/{FILES} files), " in forced.stderr
    assert forced.stderr.endswith(", done.\x1b[K\n")
    assert "unchanged data" in forced.stdout  # the report itself is as before


def test_checkout_get_index_gc_fsck_push_draw_their_lines(proj):
    repo = proj["repo"]
    for f in list((repo / "data").iterdir())[:5]:
        f.unlink()
    out = trail("checkout", "--force", "--progress", cwd=repo)  # files gone: a change
    assert f"Checking out data: 100% ({FILES}/{FILES} files)" in out.stderr
    assert "restored data" in out.stdout
    assert "Restoring artifacts: 100% (1/1 files), 48.8 KiB" in trail(
        "get", "p-3", "-o", proj["base"] / "got", "--progress", cwd=repo).stderr
    assert "Indexing runs: 100% (3/3 runs)" in trail("index", "--rebuild", "--progress", cwd=repo).stderr
    gc = trail("gc", "--progress", cwd=repo).stderr
    assert "Marking live objects: 100% (" in gc and "roots)" in gc
    assert re.search(r"Checking objects: 100% \((\d+)/\1 packs\)", trail("fsck", "--progress", cwd=repo).stderr)
    push = trail("push", "--progress", "--no-git", cwd=repo).stderr
    assert "Uploading packs: 100%" in push and ", done." in push


def test_quiet_json_and_pipes_keep_stderr_and_stdout_clean(proj):
    repo = proj["repo"]
    for args in (["fsck"], ["fsck", "-q"], ["gc", "-q"], ["index", "--rebuild", "-q"], ["checkout", "-q"]):
        assert "\x1b[K" not in trail(*args, cwd=repo).stderr, args
    forced = trail("fsck", "--format", "json", "--progress", cwd=repo)
    assert json.loads(forced.stdout)["clean"] is True  # stdout stays one JSON document
    assert "Checking objects" in forced.stderr


def test_on_a_terminal_a_quick_operation_stays_quiet(proj):
    # Half a second before the first draw: a small add prints what it printed before.
    out = on_tty(["fsck"], proj["repo"], TERM="xterm")
    assert "checked" in out and "Checking objects" not in out


# --- colour -----------------------------------------------------------------------------------


def test_ls_colours_status_words_and_keeps_the_table_aligned(proj):
    repo = proj["repo"]
    plain = trail("ls", cwd=repo).stdout
    assert "\x1b" not in plain  # piped: no colour
    coloured = trail("--color=always", "ls", cwd=repo).stdout
    assert "\x1b[32mfinished\x1b[0m" in coloured and "\x1b[31mfailed\x1b[0m" in coloured
    assert ESC.sub("", coloured) == plain  # escape codes take no columns
    assert trail("ls", "--color", "always", cwd=repo).stdout == coloured  # after the command too
    assert trail("ls", "--color", cwd=repo).stdout == coloured  # git's bare --color is always


def test_each_environment_rule(proj):
    repo = proj["repo"]
    forced = trail("ls", cwd=repo, env=env_with(CLICOLOR_FORCE="1")).stdout
    assert "\x1b[32mfinished" in forced
    assert "\x1b" not in trail("ls", cwd=repo, env=env_with(CLICOLOR_FORCE="0")).stdout
    assert "\x1b" not in trail("ls", cwd=repo, env=env_with(CLICOLOR_FORCE="1", NO_COLOR="1")).stdout
    assert "\x1b" not in trail("--color=never", "ls", cwd=repo, env=env_with(CLICOLOR_FORCE="1")).stdout
    assert "\x1b[32m" in trail("--color=always", "ls", cwd=repo, env=env_with(NO_COLOR="1")).stdout
    # On a terminal: colour, unless NO_COLOR (any value) or TERM=dumb.
    assert "\x1b[32mfinished\x1b[0m" in on_tty(["ls"], repo, TERM="xterm")
    assert "\x1b" not in on_tty(["ls"], repo, TERM="xterm", NO_COLOR="1")
    assert "\x1b" not in on_tty(["ls"], repo, TERM="dumb")
    assert "\x1b" not in on_tty(["ls", "--color=never"], repo, TERM="xterm")


def test_show_status_errors_and_diff(proj):
    repo = proj["repo"]
    assert "\x1b[31mfailed\x1b[0m" in trail("show", "p-2", "--color=always", cwd=repo).stdout
    bad = trail("show", "p-99", "--color=always", cwd=repo, check=False)
    assert bad.returncode != 0 and bad.stderr.startswith("trail: \x1b[31merror:\x1b[0m ")
    plain_bad = trail("show", "p-99", cwd=repo, check=False)
    assert plain_bad.stderr.startswith("trail: error: ")
    (repo / "data" / "part-000.bin").write_bytes(b"changed")
    status = trail("status", "--color=always", cwd=repo, check=False).stdout
    assert "\x1b[33mmodified\x1b[0m  data" in status
    assert "\x1b" not in trail("status", cwd=repo, check=False).stdout
    diff = trail("diff", "p-1", "p-3", "--code", "--color=always", cwd=repo).stdout
    assert "\x1b[32m+print('two')\x1b[0m" in diff and "\x1b[31m-print('one')\x1b[0m" in diff
    assert "\x1b" not in trail("diff", "p-1", "p-3", "--code", cwd=repo).stdout


def test_bad_color_value_is_one_line_and_exit_2(proj):
    bad = trail("--color=sometimes", "ls", cwd=proj["repo"], check=False)
    assert bad.returncode == 2 and bad.stdout == ""
    assert bad.stderr == "trail: error: --color takes auto, always or never, not 'sometimes'\n"


def test_color_after_the_command_separator_is_the_programs(proj):
    """`--color` after `--` belongs to the user's command: trail neither takes nor checks it."""
    script = "import sys; print(sys.argv[1:])"
    out = trail("run", "--", "/usr/bin/python3", "-c", script, "--color", "always", "--color=sometimes", cwd=proj["repo"])
    assert "['--color', 'always', '--color=sometimes']" in out.stdout, out.stdout

"""Shared helpers for trail's end-to-end tests.

The tests drive the real `trail` binary in throw-away Git repositories and inspect the result with
the real git CLI, the way a user (or a colleague who fetched the runs branch) would.

Binary: $TRAIL_BIN, else <repo root>/build/trail (built with CMake + Ninja when missing).
Run with Debian's interpreter: /usr/bin/python3 -m pytest -q -p no:cacheprovider tests/integration
"""
import hashlib
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
import yaml

REPO_ROOT = Path(__file__).resolve().parents[2]
# The interpreter that runs the tests also runs the training scripts (it has PyYAML etc.).
PYTHON = "/usr/bin/python3" if os.path.exists("/usr/bin/python3") else sys.executable


def _find_trail():
    env = os.environ.get("TRAIL_BIN")
    if env:
        return str(Path(env).resolve())
    path = REPO_ROOT / "build" / "trail"
    if not path.exists():
        subprocess.run(["cmake", "-S", str(REPO_ROOT), "-B", str(REPO_ROOT / "build"), "-G", "Ninja"],
                       check=True, stdout=subprocess.DEVNULL)
        subprocess.run(["ninja", "-C", str(REPO_ROOT / "build"), "trail"], check=True)
    return str(path)


TRAIL = _find_trail()


# ----------------------------------------------------------------------------------------------
# Environment: isolated from the developer's own Git and trail settings.


def base_env(home):
    # Colour is the terminal's business (docs/cli.md): the tests read plain text unless they ask.
    env = {k: v for k, v in os.environ.items()
           if not k.startswith("TRAIL_") and not k.startswith("GIT_") and k not in ("NO_COLOR", "CLICOLOR_FORCE")}
    env["TRAIL_BIN"] = TRAIL
    env["HOME"] = str(home)
    env["XDG_CONFIG_HOME"] = str(Path(home) / ".config")
    env["GIT_CONFIG_NOSYSTEM"] = "1"
    env["LC_ALL"] = "C.UTF-8"
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    env["PYTHONUNBUFFERED"] = "1"
    return env


_ENV = {}


@pytest.fixture(autouse=True, scope="session")
def _isolated_home(tmp_path_factory):
    home = tmp_path_factory.mktemp("home")
    _ENV.clear()
    _ENV.update(base_env(home))
    yield


def env_with(**extra):
    env = dict(_ENV)
    for k, v in extra.items():
        if v is None:
            env.pop(k, None)
        else:
            env[k] = v
    return env


# ----------------------------------------------------------------------------------------------
# Running things.


def trail(*args, cwd, input=None, env=None, check=True, text=True, timeout=60):
    """Runs `trail ARGS...` in `cwd`; returns the CompletedProcess (stdout/stderr captured)."""
    if input is not None and text and isinstance(input, bytes):
        input = input.decode()
    proc = subprocess.run([TRAIL, *[str(a) for a in args]], cwd=str(cwd), input=input,
                          stdin=None if input is not None else subprocess.DEVNULL,
                          capture_output=True, text=text, env=env if env is not None else _ENV,
                          timeout=timeout)
    if check and proc.returncode != 0:
        raise AssertionError(
            f"trail {' '.join(map(str, args))} exited {proc.returncode}\n"
            f"--- stdout\n{proc.stdout}\n--- stderr\n{proc.stderr}")
    return proc


def trail_popen(*args, cwd, env=None, **kw):
    kw.setdefault("stdout", subprocess.PIPE)
    kw.setdefault("stderr", subprocess.PIPE)
    kw.setdefault("stdin", subprocess.DEVNULL)
    return subprocess.Popen([TRAIL, *[str(a) for a in args]], cwd=str(cwd),
                            env=env if env is not None else _ENV, **kw)


def git(*args, cwd, check=True, text=True, input=None, env=None):
    """Runs git and returns its stdout (stripped of one trailing newline when text)."""
    proc = subprocess.run(["git", *[str(a) for a in args]], cwd=str(cwd), capture_output=True,
                          text=text, input=input, env=env if env is not None else _ENV)
    if check and proc.returncode != 0:
        raise AssertionError(f"git {' '.join(map(str, args))} exited {proc.returncode}: {proc.stderr}")
    out = proc.stdout
    if text and out.endswith("\n"):
        out = out[:-1]
    return out


def git_ok(*args, cwd):
    return subprocess.run(["git", *args], cwd=str(cwd), capture_output=True, env=_ENV).returncode == 0


def shard(number):
    return "%03d" % (int(number) // 1000)


def run_dir(run_id):
    return f"runs/{shard(run_id.rsplit('-', 1)[1])}/{run_id}"


def record(repo, run_id, branch="trail"):
    """The committed run.yaml of run_id, parsed by PyYAML."""
    text = git("show", f"{branch}:{run_dir(run_id)}/run.yaml", cwd=repo)
    rec = yaml.safe_load(text)
    assert isinstance(rec, dict), text
    return rec


def branch_file(repo, path, branch="trail", text=True):
    return git("show", f"{branch}:{path}", cwd=repo, text=text)


def branch_commits(repo, branch="trail"):
    if not git_ok("rev-parse", "--verify", "-q", f"refs/heads/{branch}", cwd=repo):
        return []
    return git("log", "--format=%H %s", branch, cwd=repo).splitlines()


def ls_json(repo, *args, env=None):
    proc = trail("ls", "--format", "json", *args, cwd=repo, env=env)
    return json.loads(proc.stdout)


def ls_ids(repo, *args):
    return [r["id"] for r in ls_json(repo, *args)]


def sha256_file(path):
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def wait_for(predicate, timeout=10.0, interval=0.02, what="condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    raise AssertionError(f"timed out after {timeout}s waiting for {what}")


def write_script(directory, name, body):
    """Writes a Python training script (outside the project, so the work tree stays clean)."""
    path = Path(directory) / name
    path.write_text(body)
    return str(path)


def py(code):
    """argv that runs a Python snippet with the Debian interpreter."""
    return [PYTHON, "-c", code]


def make_git_repo(path, name="Ann Lee", email="ann@example.org"):
    path = Path(path)
    path.mkdir(parents=True, exist_ok=True)
    git("init", "-q", "-b", "main", cwd=path)
    git("config", "user.name", name, cwd=path)
    git("config", "user.email", email, cwd=path)
    git("config", "commit.gpgsign", "false", cwd=path)
    (path / "app.py").write_text("def handler(request):\n    return 'ok'\n")
    (path / "README.md").write_text("# shop\nAn ordinary product that is growing some ML.\n")
    (path / "src").mkdir(exist_ok=True)
    (path / "src" / "util.py").write_text("def add(a, b):\n    return a + b\n")
    git("add", ".", cwd=path)
    git("commit", "-q", "-m", "initial commit", cwd=path)
    return path


def init_project(path, name="p", commit=True):
    trail("init", "--name", name, cwd=path)
    if commit:
        git("add", ".trail/config.yaml", ".trail/.gitignore", cwd=path)
        git("commit", "-q", "-m", "trail init", cwd=path)
    return path


@pytest.fixture
def scripts(tmp_path):
    d = tmp_path / "scripts"
    d.mkdir()
    return d


@pytest.fixture
def project(tmp_path):
    """A Git repository of ordinary code, made a trail project named 'p' and committed."""
    repo = make_git_repo(tmp_path / "shop")
    init_project(repo, "p")
    return repo


@pytest.fixture
def git_repo(tmp_path):
    """A Git repository of ordinary code, not a trail project."""
    return make_git_repo(tmp_path / "plain")

"""Helpers for the Python client's tests (`import trail`).

Each test makes a throw-away Git repository, makes it a trail project with the real `trail`
binary, runs a real Python script that imports the built module, and reads the committed
record back with git and PyYAML, as a user would. Copied (not imported) from
tests/integration/conftest.py, so each suite stands alone.

Binary: $TRAIL_BIN, else <repo root>/build/trail. Module: $PYTHONPATH must reach the built
package (build/python); without it, <repo root>/build/python is used.
Run: PYTHONPATH=build/python /usr/bin/python3 -m pytest -q -p no:cacheprovider tests/python
"""
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
import yaml

REPO_ROOT = Path(__file__).resolve().parents[2]
PYTHON = "/usr/bin/python3" if os.path.exists("/usr/bin/python3") else sys.executable
TRAIL = str(Path(os.environ.get("TRAIL_BIN") or REPO_ROOT / "build" / "trail").resolve())


def _module_path():
    for entry in os.environ.get("PYTHONPATH", "").split(os.pathsep):
        if entry and (Path(entry) / "trail" / "__init__.py").exists():
            return str(Path(entry).resolve())
    return str(REPO_ROOT / "build" / "python")


MODULE_PATH = _module_path()
if not Path(TRAIL).exists() or not list((Path(MODULE_PATH) / "trail").glob("_trail*.so")):
    raise RuntimeError(f"build trail first (scripts/build.sh): need {TRAIL} and the module in {MODULE_PATH}/trail")


def _has(module):
    return subprocess.run([PYTHON, "-c", f"import {module}"], capture_output=True).returncode == 0


HAS_TORCH = _has("torch")
HAS_SKLEARN = _has("sklearn")


def base_env(home):
    env = {k: v for k, v in os.environ.items()
           if not k.startswith("TRAIL_") and not k.startswith("GIT_") and k != "PYTHONPATH"}
    env["TRAIL_BIN"] = TRAIL
    env["PYTHONPATH"] = MODULE_PATH
    env["HOME"] = str(home)
    env["XDG_CONFIG_HOME"] = str(Path(home) / ".config")
    env["GIT_CONFIG_NOSYSTEM"] = "1"
    env["LC_ALL"] = "C.UTF-8"
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    env["PYTHONUNBUFFERED"] = "1"
    env["OMP_NUM_THREADS"] = "1"  # two cores, tests running beside builds
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


def trail(*args, cwd, env=None, check=True, timeout=120):
    proc = subprocess.run([TRAIL, *[str(a) for a in args]], cwd=str(cwd), stdin=subprocess.DEVNULL,
                          capture_output=True, text=True, env=env if env is not None else _ENV, timeout=timeout)
    if check and proc.returncode != 0:
        raise AssertionError(f"trail {' '.join(map(str, args))} exited {proc.returncode}\n"
                             f"--- stdout\n{proc.stdout}\n--- stderr\n{proc.stderr}")
    return proc


def python(script, *args, cwd, env=None, check=True, timeout=300):
    """Runs `python3 SCRIPT ARGS...` (the test's interpreter, the built module on its path)."""
    proc = subprocess.run([PYTHON, str(script), *[str(a) for a in args]], cwd=str(cwd), stdin=subprocess.DEVNULL,
                          capture_output=True, text=True, env=env if env is not None else _ENV, timeout=timeout)
    if check and proc.returncode != 0:
        raise AssertionError(f"python {script} exited {proc.returncode}\n"
                             f"--- stdout\n{proc.stdout}\n--- stderr\n{proc.stderr}")
    return proc


def git(*args, cwd, check=True):
    proc = subprocess.run(["git", *[str(a) for a in args]], cwd=str(cwd), capture_output=True, text=True, env=_ENV)
    if check and proc.returncode != 0:
        raise AssertionError(f"git {' '.join(map(str, args))} exited {proc.returncode}: {proc.stderr}")
    return proc.stdout[:-1] if proc.stdout.endswith("\n") else proc.stdout


def run_dir(run_id):
    return f"runs/{int(run_id.rsplit('-', 1)[1]) // 1000:03d}/{run_id}"


def record(repo, run_id):
    """The committed run.yaml of run_id, parsed by PyYAML."""
    rec = yaml.safe_load(git("show", f"trail:{run_dir(run_id)}/run.yaml", cwd=repo))
    assert isinstance(rec, dict)
    return rec


def series(repo, run_id, metric):
    """A metric's recorded series as [(step, value)], beside the record or in the object store."""
    text = trail("show", run_id, "--series", metric, cwd=repo).stdout
    rows = [line.split("\t") for line in text.splitlines() if line and not line.startswith("step")]
    return [(int(r[0]), float(r[2])) for r in rows]


def branch_commits(repo):
    proc = subprocess.run(["git", "log", "--format=%s", "trail"], cwd=str(repo), capture_output=True, text=True,
                          env=_ENV)
    return proc.stdout.splitlines() if proc.returncode == 0 else []


def functions(rec):
    return {(f["category"], f["name"]) for f in rec.get("functions", [])}


def wait_for(predicate, timeout=20.0, interval=0.02, what="condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    raise AssertionError(f"timed out after {timeout}s waiting for {what}")


def make_git_repo(path):
    path = Path(path)
    path.mkdir(parents=True, exist_ok=True)
    git("init", "-q", "-b", "main", cwd=path)
    git("config", "user.name", "Ann Lee", cwd=path)
    git("config", "user.email", "ann@example.org", cwd=path)
    git("config", "commit.gpgsign", "false", cwd=path)
    (path / "README.md").write_text("# shop\n")
    (path / "util.py").write_text("def add(a, b):\n    return a + b\n")
    git("add", ".", cwd=path)
    git("commit", "-q", "-m", "initial commit", cwd=path)
    return path


@pytest.fixture
def project(tmp_path):
    """A Git repository made a trail project named 'p', configuration committed."""
    repo = make_git_repo(tmp_path / "shop")
    trail("init", "--name", "p", cwd=repo)
    git("add", ".trail/config.yaml", ".trail/.gitignore", cwd=repo)
    git("commit", "-q", "-m", "trail init", cwd=repo)
    return repo


def write(repo, name, body):
    """Writes a script into the project (committed, so the work tree stays clean)."""
    path = Path(repo) / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(body)
    git("add", name, cwd=repo)
    git("commit", "-q", "-m", f"add {name}", cwd=repo)
    return path

"""`pip install ./python` into a fresh virtualenv, as a Python user installs things: the package
(with the native module CMake built) lands in the venv, imports from anywhere without
PYTHONPATH, and records a run; a missing module is a clear error. pip cannot reach a registry
here, so it builds with --no-build-isolation and Debian's setuptools (docs/python.md)."""
import os
import subprocess
from pathlib import Path

from conftest import MODULE_PATH, PYTHON, REPO_ROOT, env_with, record, write


def pip_install(venv, build_dir, tmp_path):
    env = env_with(PYTHONPATH=None, TRAIL_BUILD_DIR=str(build_dir), PIP_NO_INDEX="1",
                   PIP_DISABLE_PIP_VERSION_CHECK="1")
    return subprocess.run([str(venv / "bin" / "python"), "-m", "pip", "install", "--no-build-isolation", "--no-deps",
                           str(REPO_ROOT / "python")], cwd=str(tmp_path), env=env, capture_output=True, text=True,
                          timeout=300)


def test_pip_install_into_a_fresh_venv(project, tmp_path):
    venv = tmp_path / "venv"
    # --system-site-packages: pip (and numpy, torch, ...) come from Debian's interpreter.
    subprocess.run([PYTHON, "-m", "venv", "--system-site-packages", "--without-pip", str(venv)], check=True)
    build_dir = Path(MODULE_PATH).parent
    proc = pip_install(venv, build_dir, tmp_path)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    site = venv / "lib"
    installed = list(site.glob("python3*/site-packages/trail/_trail*.so"))
    assert len(installed) == 1 and list(site.glob("python3*/site-packages/trail/__init__.py"))
    assert not (REPO_ROOT / "python" / "build").exists() and not list((REPO_ROOT / "python").glob("*.egg-info"))

    # From a project folder, with no PYTHONPATH: the venv's copy is the one imported, and it records.
    write(project, "fit.py", """
import trail
with trail.start_run(run_name="from-venv") as run:
    trail.log_metric("loss", 0.5)
print(trail.__file__)
""")
    env = env_with(PYTHONPATH=None)
    proc = subprocess.run([str(venv / "bin" / "python"), "fit.py"], cwd=str(project), env=env, capture_output=True,
                          text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip().startswith(str(venv))
    rec = record(project, "p-1")
    assert rec["name"] == "from-venv" and rec["metrics"]["summary"]["loss"]["last"] == 0.5


def test_pip_install_without_a_built_module_says_so(tmp_path):
    venv = tmp_path / "venv"
    subprocess.run([PYTHON, "-m", "venv", "--system-site-packages", "--without-pip", str(venv)], check=True)
    empty = tmp_path / "nobuild"
    empty.mkdir()
    proc = pip_install(venv, empty, tmp_path)
    assert proc.returncode != 0
    assert "build it first (scripts/build.sh _trail)" in proc.stdout + proc.stderr
    assert not list(venv.glob("lib/python3*/site-packages/trail"))
    assert os.listdir(empty) == ["python-package"]  # setuptools' work folder only

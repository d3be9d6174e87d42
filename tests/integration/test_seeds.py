"""Seeds: `trail run --seed N`, the seed calls the source scan finds, and the determinism
environment variables recorded in environment.variables."""
import json

from conftest import PYTHON, branch_commits, env_with, git, record, trail

# A stand-in for NumPy (the test interpreter has none): the script really calls it, and it says
# what it was seeded with.
NUMPY_STUB = {
    "numpy/__init__.py": "from . import random\n",
    "numpy/random.py": "SEEDS = []\n\ndef seed(s=None):\n    SEEDS.append(s)\n",
}

TRAIN = """\
import json
import os
import sys

import numpy as np


def fit(data, random_state=None):
    return sorted(data)


np.random.seed(42)
model = fit([3, 1, 2],
            random_state=7)
print(json.dumps({"PYTHONHASHSEED": os.environ.get("PYTHONHASHSEED"),
                  "TRAIL_SEED": os.environ.get("TRAIL_SEED"),
                  "numpy_seeds": np.random.SEEDS,
                  "hash_randomized": sys.flags.hash_randomization}))
"""


def _stub_path(tmp_path):
    stub = tmp_path / "site"
    for name, text in NUMPY_STUB.items():
        (stub / name).parent.mkdir(parents=True, exist_ok=True)
        (stub / name).write_text(text)
    return str(stub)


def test_seed_flag_scan_and_environment(project, tmp_path):
    (project / "train.py").write_text(TRAIN)
    env = env_with(PYTHONPATH=_stub_path(tmp_path), OMP_NUM_THREADS="2", TRAIL_PARAM_DB_PASSWORD="hunter2")
    proc = trail("run", "--seed", "5", "--", PYTHON, "train.py", cwd=project, env=env)
    seen = json.loads(proc.stdout.strip().splitlines()[-1])
    # The child really ran with the seed in its environment.
    assert seen["PYTHONHASHSEED"] == "5" and seen["TRAIL_SEED"] == "5"
    assert seen["numpy_seeds"] == [42]

    rec = record(project, "p-1")
    assert rec["status"] == "finished"
    assert rec["seed"] == 5 and isinstance(rec["seed"], int)
    assert rec["seeds"] == [
        {"call": "np.random.seed", "value": "42", "at": "train.py:12"},
        {"call": "random_state", "value": "7", "at": "train.py:14"},
    ]
    variables = rec["environment"]["variables"]
    assert variables["PYTHONHASHSEED"] == "5"
    assert variables["TRAIL_SEED"] == "5"
    assert variables["OMP_NUM_THREADS"] == "2"
    assert variables["TRAIL_PARAM_DB_PASSWORD"] == "***"
    assert "PATH" not in variables and "HOME" not in variables
    raw = git("show", "trail:" + _run_yaml_path(project), cwd=project)
    assert "hunter2" not in raw
    # Key order: seed with the params, seeds after functions.
    keys = [line.split(":")[0] for line in raw.splitlines() if line and not line.startswith(" ")]
    assert keys.index("seed") > keys.index("params")
    assert keys.index("seeds") < keys.index("environment")
    # trail show lists them.
    shown = trail("show", "p-1", cwd=project).stdout
    seeds_section = shown.split("Seeds (", 1)[1]
    assert "seed" in seeds_section and " 5\n" in seeds_section.split("\n\n", 1)[0] + "\n"
    assert "np.random.seed" in seeds_section and "train.py:12" in seeds_section


def _run_yaml_path(project):
    files = git("ls-tree", "-r", "--name-only", "trail", cwd=project).splitlines()
    return next(f for f in files if f.endswith("run.yaml"))


def test_without_seed_flag_nothing_is_set(project, tmp_path):
    (project / "train.py").write_text(TRAIN)
    proc = trail("run", "--", PYTHON, "train.py", cwd=project, env=env_with(PYTHONPATH=_stub_path(tmp_path)))
    seen = json.loads(proc.stdout.strip().splitlines()[-1])
    assert seen["PYTHONHASHSEED"] is None and seen["TRAIL_SEED"] is None
    rec = record(project, "p-1")
    assert "seed" not in rec
    assert len(rec["seeds"]) == 2
    assert "variables" not in rec["environment"]


def test_inherited_variables_are_recorded(project):
    env = env_with(PYTHONHASHSEED="0", CUBLAS_WORKSPACE_CONFIG=":4096:8")
    trail("run", "--", "true", cwd=project, env=env)
    rec = record(project, "p-1")
    assert rec["environment"]["variables"] == {"CUBLAS_WORKSPACE_CONFIG": ":4096:8", "PYTHONHASHSEED": "0"}
    assert "seeds" not in rec


def test_seed_extremes(project):
    trail("run", "--seed", "4294967295", "--", PYTHON, "-c", "import os; print(os.environ['PYTHONHASHSEED'])",
          cwd=project)
    assert record(project, "p-1")["seed"] == 4294967295
    trail("run", "--seed", "0", "--", "true", cwd=project)
    assert record(project, "p-2")["seed"] == 0


def test_bad_seed_is_refused_with_nothing_recorded(project):
    before = branch_commits(project) if _has_branch(project) else []
    for bad in ("-1", "x", "4294967296", "1.5", "", "99999999999999999999999"):
        proc = trail("run", "--seed", bad, "--", "touch", "ran", cwd=project, check=False)
        assert proc.returncode != 0, bad
        assert "--seed" in proc.stderr, (bad, proc.stderr)
        assert len(proc.stderr.strip().splitlines()) == 1, (bad, proc.stderr)
    assert not (project / "ran").exists()
    after = branch_commits(project) if _has_branch(project) else []
    assert before == after
    assert not list((project / ".git" / "trail").glob("live/*")) if (project / ".git" / "trail").exists() else True


def test_seeds_can_be_excluded_by_config(project):
    (project / "train.py").write_text("import random\nrandom.seed(3)\n")
    cfg = project / ".trail" / "config.yaml"
    cfg.write_text(cfg.read_text() + "context:\n  exclude: [seeds, environment.variables]\n")
    trail("run", "--seed", "1", "--", PYTHON, "train.py", cwd=project)
    rec = record(project, "p-1")
    assert "seeds" not in rec and "variables" not in rec["environment"]
    assert rec["seed"] == 1


def _has_branch(project):
    return git("rev-parse", "--verify", "-q", "refs/heads/trail", cwd=project, check=False) != ""


def test_seed_flag_replaces_an_inherited_hash_seed(project):
    show = "import os; print(os.environ['PYTHONHASHSEED'], os.environ['TRAIL_SEED'])"
    proc = trail("run", "--seed", "5", "--", PYTHON, "-c", show, cwd=project,
                 env=env_with(PYTHONHASHSEED="0", TRAIL_SEED="1"))
    assert proc.stdout.split() == ["5", "5"]
    variables = record(project, "p-1")["environment"]["variables"]
    assert variables["PYTHONHASHSEED"] == "5" and variables["TRAIL_SEED"] == "5"


def test_context_preview_shows_seeds_and_variables(project):
    (project / "train.py").write_text("import torch\ntorch.manual_seed(0)\n")
    proc = trail("context", "--", PYTHON, "train.py", cwd=project, env=env_with(CUDA_VISIBLE_DEVICES="1"))
    assert "torch.manual_seed" in proc.stdout
    assert "CUDA_VISIBLE_DEVICES" in proc.stdout

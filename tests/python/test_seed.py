"""trail.seed(): seeds random, NumPy and PyTorch, passes the seed on to child processes and
records `seed: n`; with no argument it takes `trail run --seed N`'s TRAIL_SEED."""
import json
import os

import pytest

from conftest import HAS_TORCH, MODULE_PATH, PYTHON, branch_commits, env_with, python, record, trail, write

SEEDED = """
import json, os, random, subprocess, sys
import trail
n = trail.seed(*[int(a) for a in sys.argv[1:]])
drawn = random.random()
random.seed(n)
SHOW = "import os; print(os.environ['PYTHONHASHSEED'], os.environ['TRAIL_SEED'])"
child = subprocess.run([sys.executable, "-c", SHOW], capture_output=True, text=True).stdout.split()
out = {"n": n, "random_same": drawn == random.random(), "child": child}
import numpy
out["numpy"] = numpy.random.SEEDS
if "torch" in sys.modules:
    import torch
    first = torch.rand(3).tolist()
    torch.manual_seed(n)
    out["torch_same"] = first == torch.rand(3).tolist()
print("SEEDED " + json.dumps(out))
"""

# A stand-in for NumPy (the test interpreter has none) that says what it was seeded with; any
# other attribute is a dummy type, which is all PyTorch's import asks of it.
NUMPY_STUB = {
    "numpy/__init__.py": ("from . import random\n\n\ndef __getattr__(name):\n    if name.startswith('__'):\n"
                          "        raise AttributeError(name)\n    return type(name, (), {})\n"),
    "numpy/random.py": "SEEDS = []\n\ndef seed(s):\n    SEEDS.append(s)\n",
}


def _env(tmp_path, **extra):
    stub = tmp_path / "site"
    for name, text in NUMPY_STUB.items():
        (stub / name).parent.mkdir(parents=True, exist_ok=True)
        (stub / name).write_text(text)
    return env_with(PYTHONPATH=MODULE_PATH + os.pathsep + str(stub), **extra)


def _seeded(proc):
    line = next(x for x in proc.stdout.splitlines() if x.startswith("SEEDED "))
    return json.loads(line[len("SEEDED "):])


def test_seed_seeds_and_records(project, tmp_path):
    script = write(project, "train.py", SEEDED)
    out = _seeded(python(script, "123", cwd=project, env=_env(tmp_path)))
    assert out["n"] == 123
    assert out["random_same"] is True
    assert out["numpy"] == [123]
    assert out["child"] == ["123", "123"]
    if HAS_TORCH:
        assert out["torch_same"] is True
    rec = record(project, "p-1")
    assert rec["seed"] == 123
    # The source scan saw the call too.
    assert {"call": "trail.seed", "value": "*[int(a) for a in sys.argv[1:]]", "at": "train.py:4"} in rec["seeds"]
    assert rec["environment"]["variables"]["OMP_NUM_THREADS"] == "1"


def test_seed_without_argument_takes_trail_run_seed(project, tmp_path):
    script = write(project, "train.py", SEEDED)
    proc = trail("run", "--seed", "9", "--", PYTHON, script, cwd=project, env=_env(tmp_path))
    out = _seeded(proc)
    assert out["n"] == 9 and out["numpy"] == [9] and out["child"] == ["9", "9"]
    rec = record(project, "p-1")
    assert rec["seed"] == 9
    assert rec["environment"]["variables"]["TRAIL_SEED"] == "9"
    assert len(branch_commits(project)) == 1


def test_seed_under_trail_run_records_on_the_joined_run(project, tmp_path):
    script = write(project, "train.py", SEEDED)
    out = _seeded(trail("run", "--", PYTHON, script, "77", cwd=project, env=_env(tmp_path)))
    assert out["n"] == 77
    assert record(project, "p-1")["seed"] == 77
    assert len(branch_commits(project)) == 1


def test_seed_without_argument_draws_and_records_one(project, tmp_path):
    script = write(project, "train.py", SEEDED)
    out = _seeded(python(script, cwd=project, env=_env(tmp_path)))
    assert 0 <= out["n"] <= 4294967295
    assert out["child"] == [str(out["n"])] * 2
    assert record(project, "p-1")["seed"] == out["n"]


BAD = """
import sys, trail
for bad in (-1, 2**32, "3", 1.5, True):
    try:
        trail.seed(bad)
    except (TypeError, ValueError) as e:
        print(type(e).__name__, e)
    else:
        print("ACCEPTED", bad)
"""


def test_bad_seeds_are_refused_with_nothing_recorded(project, tmp_path):
    script = write(project, "bad.py", BAD)
    proc = python(script, cwd=project, env=_env(tmp_path))
    assert "ACCEPTED" not in proc.stdout
    assert proc.stdout.count("ValueError") == 2 and proc.stdout.count("TypeError") == 3
    assert branch_commits(project) == []


def test_bad_trail_seed_variable_is_refused(project, tmp_path):
    script = write(project, "train.py", SEEDED)
    proc = python(script, cwd=project, env=_env(tmp_path, TRAIL_SEED="abc"), check=False)
    assert proc.returncode != 0
    assert "TRAIL_SEED is 'abc'" in proc.stderr
    assert branch_commits(project) == []

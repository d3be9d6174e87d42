"""environment.frameworks lists the ML frameworks the program imports; frameworks_installed every one
installed beside it (the test interpreter has numpy, scikit-learn and torch)."""
import json

from conftest import PYTHON, git, record, trail


def test_frameworks_are_those_the_program_imports(project):
    (project / "train.py").write_text("import numpy as np\nfrom helpers import scale\nprint(scale(np.ones(2)))\n")
    (project / "helpers.py").write_text("from sklearn.preprocessing import scale\n")
    git("add", "train.py", "helpers.py", cwd=project)
    git("commit", "-q", "-m", "program", cwd=project)
    trail("run", "--", PYTHON, "train.py", cwd=project)
    env = record(project, "p-1")["environment"]
    installed = env["frameworks_installed"]
    assert {"numpy", "scikit-learn", "torch"} <= set(installed)
    assert env["frameworks"] == {"numpy": installed["numpy"], "scikit-learn": installed["scikit-learn"]}
    keys = list(env)
    assert keys.index("python") < keys.index("frameworks") < keys.index("frameworks_installed") < keys.index("packages")

    # A program that imports no framework uses none, whatever is installed.
    trail("run", "--", PYTHON, "-c", "import os", cwd=project)
    env2 = record(project, "p-2")["environment"]
    assert env2["frameworks"] == {} and env2["frameworks_installed"] == installed

    show = trail("show", "p-1", cwd=project).stdout
    assert "frameworks_installed" in show
    diff = json.loads(trail("diff", "p-1", "p-2", "--format", "json", cwd=project).stdout)["environment"]
    assert diff["frameworks"] == [env["frameworks"], {}]
    assert "frameworks_installed" not in diff  # the same machine


def test_excluding_packages_keeps_frameworks(project):
    cfg = project / ".trail" / "config.yaml"
    cfg.write_text(cfg.read_text() + "context:\n  exclude: [functions, environment.packages]\n")
    (project / "train.py").write_text("import numpy\n")
    git("add", "-A", cwd=project)
    git("commit", "-q", "-m", "program", cwd=project)
    trail("run", "--", PYTHON, "train.py", cwd=project)
    env = record(project, "p-1")["environment"]
    assert "packages" not in env
    assert list(env["frameworks"]) == ["numpy"]

"""Params: typed -p values, the command's own options, params files, and their precedence."""
import json

import yaml

from conftest import PYTHON, git, record, trail, write_script


def test_p_values_are_typed(project):
    trail("run", "-p", "lr=0.01", "-p", "name=adam", "-p", "n=3", "-p", "flag=true", "-p", "code=007",
          "--no-arg-params", "--", "true", cwd=project)
    params = record(project, "p-1")["params"]
    assert params["lr"] == 0.01 and isinstance(params["lr"], float)
    assert params["name"] == "adam"
    assert params["n"] == 3 and isinstance(params["n"], int) and not isinstance(params["n"], bool)
    assert params["flag"] is True
    assert params["code"] == "007"


def test_params_from_command_options(project, scripts):
    script = write_script(scripts, "train.py", "import sys; print(sys.argv[1:])\n")
    proc = trail("run", "--", PYTHON, script, "--lr", "0.01", "--epochs=100", "--verbose",
                 "--optimizer", "sgd", "--shift", "-2", cwd=project)
    # the child still sees its arguments untouched
    assert proc.stdout.strip() == str(["--lr", "0.01", "--epochs=100", "--verbose", "--optimizer", "sgd",
                                       "--shift", "-2"])
    params = record(project, "p-1")["params"]
    assert params["lr"] == 0.01
    assert params["epochs"] == 100
    assert params["verbose"] is True
    assert params["optimizer"] == "sgd"
    assert params["shift"] == -2


def test_no_arg_params_disables_option_parsing(project):
    trail("run", "--no-arg-params", "--", "echo", "--lr", "0.5", cwd=project)
    assert record(project, "p-1").get("params", {}) in ({}, None)


def test_params_yaml_nested_and_params_json(project):
    (project / "params.yaml").write_text(
        "model:\n  layers: 3\n  act: relu\ntrain:\n  lr: 0.001\n  opt:\n    name: adam\n    beta: 0.9\nseed: 42\n")
    trail("run", "--", "true", cwd=project)
    params = record(project, "p-1")["params"]
    assert params["model.layers"] == 3
    assert params["model.act"] == "relu"
    assert params["train.lr"] == 0.001
    assert params["train.opt.name"] == "adam"
    assert params["train.opt.beta"] == 0.9
    assert params["seed"] == 42

    (project / "params.yaml").unlink()
    (project / "params.json").write_text(json.dumps({"batch": 64, "aug": {"flip": True}, "tag": "x"}))
    trail("run", "--", "true", cwd=project)
    params = record(project, "p-2")["params"]
    assert params == {"batch": 64, "aug.flip": True, "tag": "x"}


def test_precedence_file_then_args_then_p(project, scripts):
    (project / "params.yaml").write_text("lr: 1.0\nepochs: 5\nbatch: 32\nonly_file: yes_file\n")
    script = write_script(scripts, "t.py", "pass\n")
    trail("run", "-p", "lr=0.3", "--", PYTHON, script, "--lr", "0.2", "--epochs", "7", cwd=project)
    params = record(project, "p-1")["params"]
    assert params["lr"] == 0.3      # -p beats the command's option and the file
    assert params["epochs"] == 7    # the command's option beats the file
    assert params["batch"] == 32    # the file alone
    assert params["only_file"] == "yes_file"


def test_params_file_is_read_from_the_working_directory(project):
    (project / "src" / "params.yaml").write_text("depth: 9\n")
    trail("run", "--", "true", cwd=project / "src")
    assert record(project, "p-1")["params"]["depth"] == 9


def test_exponent_floats_read_back_as_floats_by_pyyaml(project):
    # Learning rates are written 1e-5. The committed YAML must say float to any YAML reader, PyYAML
    # (YAML 1.1, which needs a '.' in a float: 1.0e-05) included, not only to trail itself.
    trail("run", "--no-arg-params", "-p", "lr=1e-5", "-p", "big=1e20", "-p", "wd=0.0001", "--",
          PYTHON, "-c", "import os; open(os.environ['TRAIL_METRICS'], 'a').write('{\"grad\": 1e-9}\\n')",
          cwd=project)
    rec = record(project, "p-1")
    assert rec["params"]["lr"] == 1e-5, rec["params"]
    assert rec["params"]["big"] == 1e20, rec["params"]
    assert rec["params"]["wd"] == 0.0001, rec["params"]
    assert rec["metrics"]["summary"]["grad"]["last"] == 1e-9, rec["metrics"]["summary"]
    # trail's own JSON views agree
    shown = json.loads(trail("show", "p-1", "--format", "json", cwd=project).stdout)
    assert shown["params"]["lr"] == 1e-5


# Text that YAML readers would otherwise take for something else: each must come back as the same string
# from PyYAML (the YAML reader ML users have; it follows YAML 1.1) and from trail's own JSON view.
STRINGS = ["yes", "no", "on", "off", "y", "null", "~", "a: b", "- x", "#hash", "'single'", '"double"',
           "0x1F", "1_000", "2024-01-01", "007", "+5", "trailing ", " leading", "ünïcode ✓", "a\\b", "=",
           "[1, 2]", "{k: v}", "*anchor", "&ref", "!tag", "%pct", "@at", "`tick`", "1:30", "12:30:45", "0b101",
           ".5.", "True!", "Null", "TRUE", "Yes"]


def test_string_params_round_trip_through_yaml(project):
    args = []
    for i, s in enumerate(STRINGS):
        args += ["-p", f"s{i}={s}"]
    trail("run", "--no-arg-params", *args, "--", "true", cwd=project)
    text = git("show", "trail:runs/000/p-1/run.yaml", cwd=project)
    shown = json.loads(trail("show", "p-1", "--format", "json", cwd=project).stdout)["params"]
    wrong = []
    for i, s in enumerate(STRINGS):
        assert shown[f"s{i}"] == s, (s, shown[f"s{i}"])
        line = next(l for l in text.splitlines() if l.startswith(f"  s{i}:"))
        try:
            value = yaml.safe_load(line.strip())[f"s{i}"]
        except yaml.YAMLError as e:
            value = f"<unreadable: {str(e).splitlines()[0]}>"
        if value != s:
            wrong.append(f"{s!r} written as `{line.strip()}` reads back as {value!r}")
    assert not wrong, "\n".join(wrong)

"""Values of the wrong type are refused at the call, with one clear line; nothing bad reaches the record."""
import pytest

from conftest import HAS_TORCH, python, record, write

REFUSALS = r"""
import trail
trail.start_run()
cases = [
    ("log_metric str value", lambda: trail.log_metric("loss", "0.5")),
    ("log_metric None value", lambda: trail.log_metric("loss", None)),
    ("log_metric list value", lambda: trail.log_metric("loss", [1.0])),
    ("log_metric int key", lambda: trail.log_metric(3, 1.0)),
    ("log_metric float step", lambda: trail.log_metric("loss", 1.0, step=1.5)),
    ("log_metric str step", lambda: trail.log_metric("loss", 1.0, step="1")),
    ("log_metric bad kwarg", lambda: trail.log_metric("loss", 1.0, epoch=1)),
    ("log_metric missing", lambda: trail.log_metric("loss")),
    ("log_metrics not dict", lambda: trail.log_metrics([("loss", 1.0)])),
    ("log_metrics str value", lambda: trail.log_metrics({"a": 1.0, "b": "x"})),
    ("log_param list", lambda: trail.log_param("layers", [64, 32])),
    ("log_param None", lambda: trail.log_param("x", None)),
    ("log_params dict value", lambda: trail.log_params({"opt": {"lr": 1}})),
    ("log_params int key", lambda: trail.log_params({1: 2})),
    ("set_tag list", lambda: trail.set_tag("t", ["a"])),
    ("log_function int", lambda: trail.log_function("optimizer", 3)),
    ("log_artifact role", lambda: trail.log_artifact("x", role=1)),
    ("log_data role", lambda: trail.log_data(1, "x")),
]
for name, call in cases:
    try:
        call()
        print(name, "-> accepted")
    except Exception as e:
        print(name, "->", type(e).__name__, "|", e)
values = [
    ("empty key", lambda: trail.log_metric("", 1.0)),
    ("reserved key", lambda: trail.log_metric("step", 1.0)),
    ("long key", lambda: trail.log_metric("k" * 251, 1.0)),
    ("bad category", lambda: trail.log_function("optimiser", "Adam")),
    ("end status", lambda: trail.end_run("done")),
    ("huge int", lambda: trail.log_param("n", 2 ** 70)),
    ("missing artifact", lambda: trail.log_artifact("no/such/file.pt")),
    ("log_data", lambda: trail.log_data("train", "data.csv")),
]
for name, call in values:
    try:
        call()
        print(name, "-> accepted")
    except Exception as e:
        print(name, "->", type(e).__name__, "|", e)
trail.log_metric("loss", 0.5, step=0)
"""


def test_wrong_types_raise_type_error_at_the_call(project):
    script = write(project, "refuse.py", REFUSALS)
    out = python(script, cwd=project).stdout
    lines = dict(line.split(" -> ", 1) for line in out.splitlines() if " -> " in line)
    type_errors = ["log_metric str value", "log_metric None value", "log_metric list value", "log_metric int key",
                   "log_metric float step", "log_metric str step", "log_metric bad kwarg", "log_metric missing",
                   "log_metrics not dict", "log_metrics str value", "log_param list", "log_param None",
                   "log_params dict value", "log_params int key", "set_tag list", "log_function int",
                   "log_artifact role", "log_data role"]
    for name in type_errors:
        assert lines[name].startswith("TypeError | "), (name, lines[name])
    assert lines["log_metric str value"] == "TypeError | log_metric: value of 'loss' is str; metrics are int or float"
    assert lines["log_metric float step"] == "TypeError | log_metric: step is float; steps are int or None"
    assert lines["log_param list"] == "TypeError | log_param: value of 'layers' is list; values are int, float, bool or str"
    assert lines["log_metrics str value"] == "TypeError | log_metrics: value of 'b' is str; metrics are int or float"
    for name in ["empty key", "reserved key", "long key", "bad category", "end status", "huge int"]:
        assert lines[name].startswith("ValueError | "), (name, lines[name])
    assert lines["missing artifact"].startswith("FileNotFoundError | log_artifact ")
    assert lines["log_data"].startswith("FileNotFoundError | log_data train"), lines["log_data"]
    rec = record(project, "p-1")
    # nothing refused got in: log_metrics' good value "a" was not logged either
    assert list(rec["metrics"]["summary"]) == ["loss"]
    assert rec.get("params", {}) == {}
    assert rec["status"] == "finished"


NUMERIC_KINDS = """
import fractions, trail
import numpy as np
with trail.start_run():
    trail.log_metric("np64", np.float64(0.5), step=np.int64(1))
    trail.log_metric("np32", np.float32(0.25), step=np.int32(2))
    trail.log_metric("npint", np.int64(3))
    trail.log_metric("int", 7)
    trail.log_metric("bool", True)
    trail.log_metric("frac", fractions.Fraction(1, 4))
    trail.log_metric("nan", float("nan"))
    trail.log_metric("big", 10 ** 30)
    trail.log_params({"np_lr": np.float64(0.1), "np_n": np.int64(5), "np_flag": np.bool_(True)})
    try:
        trail.log_metric("arr", np.array([1.0, 2.0]))
    except TypeError as e:
        print("ARRAY", e)
"""


def test_numbers_of_every_kind_are_accepted(project):
    script = write(project, "numeric_kinds.py", NUMERIC_KINDS)
    out = python(script, cwd=project).stdout
    assert out.startswith("ARRAY log_metric: value of 'arr' (numpy.ndarray) is not one number")
    rec = record(project, "p-1")
    s = rec["metrics"]["summary"]
    assert s["np64"]["last"] == 0.5 and s["np64"]["last_step"] == 1
    assert s["np32"]["last"] == 0.25 and s["np32"]["last_step"] == 2
    assert s["npint"]["last"] == 3 and s["int"]["last"] == 7 and s["bool"]["last"] == 1
    assert s["frac"]["last"] == 0.25 and s["big"]["last"] == 1e30
    assert s["nan"]["count"] == 1
    assert rec["params"] == {"np_lr": 0.1, "np_n": 5, "np_flag": True}
    assert "arr" not in s


@pytest.mark.skipif(not HAS_TORCH, reason="PyTorch is not installed (python3-torch)")
def test_one_element_tensors_are_numbers(project):
    script = write(project, "tensors.py", """
import torch, trail
with trail.start_run():
    trail.log_metric("loss", torch.tensor(0.5))
    trail.log_metric("t", torch.tensor([2.0]), step=torch.tensor(3))
    trail.log_param("wd", torch.tensor(0.01))
    try:
        trail.log_metric("many", torch.zeros(3))
    except TypeError as e:
        print("MANY", e)
""")
    out = python(script, cwd=project).stdout
    assert out.startswith("MANY log_metric: value of 'many' (torch.Tensor) is not one number")
    rec = record(project, "p-1")
    assert rec["metrics"]["summary"]["loss"]["last"] == 0.5
    assert rec["metrics"]["summary"]["t"]["last_step"] == 3
    assert abs(rec["params"]["wd"] - 0.01) < 1e-8


def test_bad_start_run_arguments_start_nothing(project):
    script = write(project, "bad_start.py", """
import trail
for kwargs in ({"params": {"layers": [1, 2]}}, {"tags": {"t": None}}, {"name": 3}, {"params": "lr=1"}):
    try:
        trail.start_run(**kwargs)
    except TypeError as e:
        print("TypeError", e)
print("ACTIVE", trail.active_run())
""")
    out = python(script, cwd=project).stdout.splitlines()
    assert out == ["TypeError start_run params: value of 'layers' is list; values are int, float, bool or str",
                   "TypeError start_run tags: value of 't' is NoneType; values are int, float, bool or str",
                   "TypeError start_run: name is int; names are str",
                   "TypeError start_run params: expected a dict, got str",
                   "ACTIVE None"]
    assert not (project / ".trail" / "live").exists() or not list((project / ".trail" / "live").iterdir())

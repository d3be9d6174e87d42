"""Regressions found by fuzzing: hostile but possible input never crashes trail
or makes a record unreadable (issue: fuzz/README.md, /tmp/fuzz-crashes repros)."""
import os

from conftest import ls_json, record, trail


def test_latin1_argument_is_recorded_and_listed(project):
    # os.fsdecode keeps the raw Latin-1 byte: subprocess passes it through unchanged.
    trail("run", "--", "/bin/echo", os.fsdecode(b"--data=donn\xe9es"), cwd=project, text=False)
    rows = ls_json(project)
    assert rows[0]["params"]["data"] == "donn\ufffdes"
    assert trail("ls", cwd=project).returncode == 0


def test_params_yaml_alias_cycle_is_a_clear_error(project):
    (project / "params.yaml").write_text("a: &a [*a]\n")
    proc = trail("run", "--", "/bin/true", cwd=project, check=False)
    assert proc.returncode == 1
    assert "params.yaml" in proc.stderr and "alias" in proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1


def test_params_yaml_billion_laughs_is_refused(project):
    lines = ['a0: &a0 ["x", "x", "x", "x", "x", "x", "x", "x", "x", "x"]']
    for i in range(1, 9):
        lines.append(f"a{i}: &a{i} [" + ", ".join([f"*a{i-1}"] * 10) + "]")
    (project / "params.yaml").write_text("\n".join(lines) + "\n")
    proc = trail("run", "--", "/bin/true", cwd=project, check=False, timeout=60)
    assert proc.returncode == 1
    assert "too many values" in proc.stderr


def test_very_long_metric_name_keeps_the_record_readable(project):
    name = "k" * 1100
    script = f"import json, os\nopen(os.environ['TRAIL_METRICS'], 'a').write(json.dumps({{{name!r}: 1}}) + '\\n')\n"
    (project / "m.py").write_text(script)
    trail("run", "--", "/usr/bin/python3", "m.py", cwd=project)
    rec = record(project, "p-1")
    assert rec["metrics"]["summary"][name]["last"] == 1
    file = rec["metrics"]["series"][name]
    assert len(file.split("/")[-1]) < 255
    assert trail("show", "p-1", cwd=project).returncode == 0
    assert ls_json(project)[0]["metrics"][name]["count"] == 1

"""trail show and trail diff."""
import json

import yaml

from conftest import PYTHON, git, record, trail, write_script

METRICS = """
import json, os
with open(os.environ["TRAIL_METRICS"], "a") as f:
    for i, l in enumerate([0.9, 0.4, 0.6]):
        f.write(json.dumps({"step": i, "loss": l}) + "\\n")
"""


def test_show_text_has_table3_sections(project, scripts):
    script = write_script(scripts, "m.py", METRICS)
    trail("run", "-p", "lr=0.25", "-p", "opt=adam", "--tag", "stage=draft", "--", PYTHON, script, cwd=project)
    rec = record(project, "p-1")
    out = trail("show", "p-1", cwd=project).stdout
    assert out.startswith("Run p-1")
    assert "finished" in out.splitlines()[0]
    for section in ("Time", "Program", "Environment", "Params", "Metrics", "Tags"):
        assert any(line.startswith(section) for line in out.splitlines()), (section, out)
    assert rec["uid"] in out
    assert "Ann Lee" in out and "ann@example.org" in out
    assert "0.25" in out and "adam" in out
    assert rec["code"]["snapshot"] in out
    assert rec["host"] in out
    metrics_line = next(l for l in out.splitlines() if l.strip().startswith("loss"))
    assert "0.6" in metrics_line and "0.4" in metrics_line and "0.9" in metrics_line and "3" in metrics_line
    assert "stage" in out and "draft" in out


def test_show_json_and_yaml_and_bare_number(project):
    trail("run", "-p", "lr=0.5", "-p", "n=4", "--", "true", cwd=project)
    rec = record(project, "p-1")
    js = json.loads(trail("show", "p-1", "--format", "json", cwd=project).stdout)
    assert js["id"] == "p-1" and js["uid"] == rec["uid"]
    assert js["params"] == {"lr": 0.5, "n": 4}
    ym = yaml.safe_load(trail("show", "p-1", "--format", "yaml", cwd=project).stdout)
    assert ym["id"] == "p-1" and ym["uid"] == rec["uid"] and ym["params"] == {"lr": 0.5, "n": 4}
    # the yaml form is what is committed
    assert trail("show", "p-1", "--format", "yaml", cwd=project).stdout.strip() == \
        git("show", "trail:runs/000/p-1/run.yaml", cwd=project).strip()
    by_number = json.loads(trail("show", "1", "--format", "json", cwd=project).stdout)
    assert by_number == js
    by_uid = json.loads(trail("show", rec["uid"], "--format", "json", cwd=project).stdout)
    assert by_uid["id"] == "p-1"
    text_by_number = trail("show", "1", cwd=project).stdout
    assert text_by_number.startswith("Run p-1")


def test_show_unknown_run(project):
    trail("run", "--", "true", cwd=project)
    for bad in ("p-99", "99", "nonsense"):
        proc = trail("show", bad, cwd=project, check=False)
        assert proc.returncode != 0
        err = proc.stderr.strip()
        assert bad in err and len(err.splitlines()) == 1, err
        assert proc.stdout == ""


def test_diff_params_and_code(project):
    trail("run", "-p", "lr=0.1", "-p", "opt=adam", "--", "true", cwd=project)
    (project / "app.py").write_text("def handler(request):\n    return 'ok, but better'\n")
    trail("run", "-p", "lr=0.2", "-p", "opt=adam", "--", "true", cwd=project)
    out = trail("diff", "p-1", "p-2", cwd=project).stdout
    lr_line = next(l for l in out.splitlines() if l.strip().startswith("lr"))
    assert "0.1" in lr_line and "0.2" in lr_line
    assert not any(l.strip().startswith("opt") for l in out.splitlines())  # equal params are not listed
    assert "app.py" in out
    assert "README.md" not in out
    patch = trail("diff", "p-1", "p-2", "--code", cwd=project).stdout
    assert "+    return 'ok, but better'" in patch
    assert "-    return 'ok'" in patch
    js = json.loads(trail("diff", "p-1", "p-2", "--format", "json", cwd=project).stdout)
    assert js["a"] == "p-1" and js["b"] == "p-2"
    assert js["params"]["lr"] == [0.1, 0.2]
    assert "opt" not in js["params"]
    assert "app.py" in js["code"]["stat"]
    assert js["code"]["a"] == git("rev-parse", "refs/trail/code/p-1", cwd=project)
    assert js["code"]["b"] == git("rev-parse", "refs/trail/code/p-2", cwd=project)
    # --all lists equal values too
    assert any(l.strip().startswith("opt") for l in trail("diff", "1", "2", "--all", cwd=project).stdout.splitlines())


def test_diff_same_code_and_unknown_run(project):
    trail("run", "-p", "x=1", "--", "true", cwd=project)
    trail("run", "-p", "x=2", "--", "true", cwd=project)
    out = trail("diff", "p-1", "p-2", cwd=project).stdout
    assert "same" in out.split("Code", 1)[1]
    proc = trail("diff", "p-1", "p-7", cwd=project, check=False)
    assert proc.returncode != 0 and "p-7" in proc.stderr

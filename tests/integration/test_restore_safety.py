"""Restores never write outside where they belong (issue 13, "Trust").

A run record, a pointer file or a tree manifest can come from someone else's clone through
`trail pull`: every path in it is untrusted. `trail get` and `trail checkout` refuse a path that
leaves their output folder, and never write through a symbolic link they did not create. A
SavedModel is one artifact: `trail get RUN saved_model` restores the whole folder."""
from pathlib import Path

import pytest
import yaml

from conftest import PYTHON, git, record, run_dir, sha256_file, trail, write_script
from test_bad_input import commit_blob_on_branch


def rewrite_record(repo, tmp_path, run_id, change):
    """Applies `change` to run_id's record and commits it on the runs branch with plumbing, as a
    colleague's (or an attacker's) clone would deliver it through pull."""
    rec = record(repo, run_id)
    change(rec)
    commit_blob_on_branch(repo, tmp_path, f"{run_dir(run_id)}/run.yaml", yaml.safe_dump(rec, sort_keys=False))


def files_under(folder):
    return sorted(str(p.relative_to(folder)) for p in Path(folder).rglob("*"))


def assert_refused(proc, *words):
    assert proc.returncode != 0, proc.stdout
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1, proc.stderr
    for w in words:
        assert w in lines[0], proc.stderr


MODEL = "with open('model.bin', 'wb') as f: f.write(b'weights' * 100)\n"


@pytest.mark.parametrize("bad", ["{victim}", "../x.bin", "a/b/../../../x.bin", "./../x.bin", "a\\..\\x.bin", ""])
def test_get_refuses_an_artifact_path_that_leaves_the_output_folder(project, scripts, tmp_path, bad):
    trail("run", "--artifact", "model.bin", "--", PYTHON, write_script(scripts, "t.py", MODEL), cwd=project)
    victim = tmp_path / "victim.bin"
    bad = bad.format(victim=victim)

    def change(rec):
        rec["artifacts"][0]["path"] = bad
    rewrite_record(project, tmp_path, "p-1", change)
    before = files_under(tmp_path)
    proc = trail("get", "p-1", "-o", "out", "--force", cwd=project, check=False)
    assert_refused(proc, "p-1", "artifact path", bad)
    assert not victim.exists()
    assert files_under(tmp_path) == before  # nothing written anywhere, not even out/


def test_get_into_the_work_tree_refuses_git_and_trail_folders(project, scripts, tmp_path):
    trail("run", "--artifact", "model.bin", "--", PYTHON, write_script(scripts, "t.py", MODEL), cwd=project)
    for bad in (".git/hooks/post-checkout", "sub/.GIT/config", ".trail/config.yaml"):
        def change(rec):
            rec["artifacts"][0]["path"] = bad
        rewrite_record(project, tmp_path, "p-1", change)
        proc = trail("get", "p-1", "-o", ".", "--force", cwd=project, check=False)
        assert_refused(proc, bad)
    assert not (project / ".git/hooks/post-checkout").exists()
    assert not (project / "sub").exists()


def test_get_checks_every_chosen_artifact_before_writing_any(project, scripts, tmp_path):
    two = MODEL + "open('z.bin', 'w').write('z')\n"
    trail("run", "--artifact", "model.bin", "--artifact", "z.bin", "--", PYTHON,
          write_script(scripts, "t.py", two), cwd=project)

    def change(rec):
        rec["artifacts"][1]["path"] = "../escaped.bin"
    rewrite_record(project, tmp_path, "p-1", change)
    proc = trail("get", "p-1", "-o", "out", cwd=project, check=False)
    assert_refused(proc, "../escaped.bin")
    assert not (project / "out").exists() and not (tmp_path / "escaped.bin").exists()


@pytest.mark.parametrize("field,bad", [("role", "../../x"), ("format", "csv/../../../x")])
def test_get_snapshot_refuses_record_words_that_leave_the_folder(project, scripts, tmp_path, field, bad):
    (project / "train.csv").write_text("a,b\n" + "".join(f"{i},{i % 2}\n" for i in range(500)))
    trail("run", "--data", "train=train.csv", "--", PYTHON, write_script(scripts, "t.py", "print(1)"), cwd=project)

    def change(rec):
        rec["data"][0][field] = bad
    rewrite_record(project, tmp_path, "p-1", change)
    role = bad if field == "role" else "train"
    (project / "out" / "deep").mkdir(parents=True)
    before = files_under(tmp_path)
    proc = trail("get", "p-1", "--snapshot", role, "-o", "out/deep/", cwd=project, check=False)
    assert_refused(proc, "snapshot file name")
    assert files_under(tmp_path) == before


def test_get_does_not_write_through_a_link_in_the_output_folder(project, scripts, tmp_path):
    script = MODEL.replace("'model.bin'", "'models/model.bin'")
    trail("run", "--artifact", "models", "--", PYTHON,
          write_script(scripts, "t.py", "import os; os.makedirs('models', exist_ok=True)\n" + script), cwd=project)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (project / "out").mkdir()
    (project / "out" / "models").symlink_to(elsewhere)
    proc = trail("get", "p-1", "-o", "out", "--force", cwd=project, check=False)
    assert_refused(proc, "out/models", "symbolic link")
    assert list(elsewhere.iterdir()) == []


def test_checkout_force_does_not_follow_a_link_inside_a_tracked_folder(project, tmp_path):
    ds = project / "ds"
    (ds / "sub").mkdir(parents=True)
    (ds / "sub" / "a.txt").write_text("a")
    (ds / "top.txt").write_text("top")
    trail("add", "ds", cwd=project)
    git("add", "ds.trail", ".gitignore", cwd=project)
    git("commit", "-q", "-m", "track ds", cwd=project)
    # What a pulled commit or a hostile archive could leave: ds/sub is now a link elsewhere.
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (ds / "sub" / "a.txt").unlink()
    (ds / "sub").rmdir()
    (ds / "sub").symlink_to(elsewhere)
    (ds / "top.txt").write_text("changed")
    proc = trail("checkout", "--force", "ds", cwd=project, check=False)
    assert_refused(proc, "ds/sub", "symbolic link")
    assert list(elsewhere.iterdir()) == []
    assert (ds / "top.txt").read_text() == "changed"  # refused before anything was written


def test_checkout_refuses_a_tracked_path_below_a_link(project, tmp_path):
    (project / "data").mkdir()
    (project / "data" / "x.csv").write_text("1,2\n")
    trail("add", "data/x.csv", cwd=project)
    (project / "data" / "x.csv").unlink()
    # data/ itself becomes a link to a folder holding a copy of the pointer.
    elsewhere = tmp_path / "elsewhere"
    (project / "data").rename(elsewhere)
    (project / "data").symlink_to(elsewhere)
    proc = trail("checkout", "--force", "data/x.csv", cwd=project, check=False)
    assert_refused(proc, "data", "symbolic link")
    assert not (elsewhere / "x.csv").exists()


SAVED_MODEL = """
import os
base = "export/sm"
os.makedirs(base + "/variables", exist_ok=True)
os.makedirs(base + "/assets", exist_ok=True)
open(base + "/saved_model.pb", "wb").write(b"graph" * 50)
open(base + "/variables/variables.index", "wb").write(b"index")
open(base + "/variables/variables.data-00000-of-00001", "wb").write(os.urandom(5000))
open(base + "/assets/vocab.txt", "w").write("a\\nb\\n")
open("export/model.tflite", "wb").write(b"tfl3")
os.makedirs("export/bundle", exist_ok=True)
open("export/bundle/export-00000-of-00001", "wb").write(b"vars")
open("export/bundle/export.meta", "wb").write(b"meta")
"""


def test_a_saved_model_is_one_artifact_and_get_restores_the_whole_folder(project, scripts):
    trail("run", "--artifact", "export", "--", PYTHON, write_script(scripts, "t.py", SAVED_MODEL), cwd=project)
    arts = {a["path"]: a for a in record(project, "p-1")["artifacts"]}
    assert set(arts) == {"export/sm", "export/model.tflite", "export/bundle/export-00000-of-00001",
                         "export/bundle/export.meta"}
    sm = arts["export/sm"]
    assert sm["role"] == "saved_model" and sm["type"] == "folder" and sm["files"] == 4
    assert arts["export/model.tflite"]["role"] == "tflite"
    assert arts["export/bundle/export-00000-of-00001"]["role"] == "checkpoint"
    assert arts["export/bundle/export.meta"]["role"] == "meta_graph"

    out = trail("get", "p-1", "saved_model", "-o", "restored", cwd=project).stdout
    assert "restored 1 artifact" in out
    for f in ("saved_model.pb", "variables/variables.index", "variables/variables.data-00000-of-00001",
              "assets/vocab.txt"):
        assert sha256_file(project / "restored/export/sm" / f) == sha256_file(project / "export/sm" / f), f
    # Again: already there, left alone; changed: refused without --force, replaced with it.
    trail("get", "p-1", "saved_model", "-o", "restored", cwd=project)
    (project / "restored/export/sm/variables/variables.index").write_bytes(b"other")
    proc = trail("get", "p-1", "export/sm", "-o", "restored", cwd=project, check=False)
    assert_refused(proc, "variables.index", "--force")
    trail("get", "p-1", "sm", "-o", "restored", "--force", cwd=project)
    assert (project / "restored/export/sm/variables/variables.index").read_bytes() == b"index"
    # gc keeps the tree and its files: the record names it.
    trail("gc", cwd=project)
    trail("get", "p-1", "saved_model", "-o", "again", cwd=project)
    assert (project / "again/export/sm/assets/vocab.txt").read_text() == "a\nb\n"


def test_show_refuses_a_metric_series_file_outside_the_run_folder(project, scripts, tmp_path):
    script = write_script(scripts, "m.py", "import json, os\n"
                          "open(os.environ['TRAIL_METRICS'], 'a').write(json.dumps({'step': 0, 'acc': 0.5}) + '\\n')\n")
    trail("run", "--", PYTHON, script, cwd=project)
    trail("run", "--", PYTHON, script, cwd=project)

    def change(rec):
        rec["metrics"]["series"]["acc"] = "../p-2/metrics/acc.tsv"
    rewrite_record(project, tmp_path, "p-1", change)
    proc = trail("show", "p-1", "--series", "acc", cwd=project, check=False)
    assert_refused(proc, "metric series file", "../p-2/metrics/acc.tsv")


def test_sweep_resume_refuses_a_record_whose_id_names_another_place(project, scripts, tmp_path):
    script = write_script(scripts, "s.py", "import json, os\n"
                          "open(os.environ['TRAIL_METRICS'], 'a').write(json.dumps({'step': 0, 'val_loss': 1.0}) + '\\n')\n")
    spec = tmp_path / "sweep.yaml"
    spec.write_text(f"command: {PYTHON} {script} --lr {{lr}}\nobjective: val_loss\nstrategy: grid\n"
                    "space:\n  lr: {choice: [0.1]}\n")
    trail("sweep", spec, "-q", cwd=project, timeout=120)
    path = "sweeps/p-sweep-1/sweep.yaml"
    rec = yaml.safe_load(git("show", f"trail:{path}", cwd=project))
    rec["id"] = "../../escaped"
    rec["status"] = "running"
    commit_blob_on_branch(project, tmp_path, path, yaml.safe_dump(rec, sort_keys=False))
    proc = trail("sweep", "resume", "p-sweep-1", "-q", cwd=project, check=False, timeout=120)
    assert_refused(proc, "sweeps/p-sweep-1/sweep.yaml", "../../escaped")
    assert not (project / "escaped").exists() and not (project / ".trail" / "escaped").exists()


def test_get_saved_model_of_an_older_record_restores_its_whole_folder(project, scripts, tmp_path):
    trail("run", "--artifact", "export", "--", PYTHON, write_script(scripts, "t.py", SAVED_MODEL), cwd=project)
    # Records made before SavedModels were one artifact list their files one by one (the files
    # are in the store: the tree names them).
    files = ["saved_model.pb", "variables/variables.index", "variables/variables.data-00000-of-00001",
             "assets/vocab.txt"]

    def change(rec):
        rec["artifacts"] = [a for a in rec["artifacts"] if a["path"] != "export/sm"] + [
            {"path": f"export/sm/{f}", "role": "saved_model" if f == "saved_model.pb" else "other",
             "size": (project / "export/sm" / f).stat().st_size,
             "oid": "sha256:" + sha256_file(project / "export/sm" / f)} for f in files]
    rewrite_record(project, tmp_path, "p-1", change)
    out = trail("get", "p-1", "saved_model", "-o", "old", cwd=project).stdout
    assert "restored 4 artifacts" in out
    assert files_under(project / "old/export/sm") == sorted(
        ["assets", "variables", *files])
    assert not (project / "old/export/model.tflite").exists()


def test_checkout_refuses_a_pointer_that_names_the_git_folder(project):
    (project / "ds").mkdir()
    (project / "ds" / "post-checkout").write_text("#!/bin/sh\necho owned\n")
    trail("add", "ds", cwd=project)
    # A pulled commit holds `.git.trail`: the same pointer, naming the repository's own folder.
    (project / ".git.trail").write_text((project / "ds.trail").read_text())
    head = (project / ".git" / "HEAD").read_text()
    proc = trail("checkout", "--force", ".git", cwd=project, check=False)
    assert_refused(proc, ".git")
    proc = trail("checkout", "--force", cwd=project, check=False)
    assert_refused(proc, ".git")
    assert (project / ".git" / "HEAD").read_text() == head
    assert not (project / ".git" / "post-checkout").exists()

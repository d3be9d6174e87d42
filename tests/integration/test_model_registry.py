"""The model registry (docs/models.md, "The registry"; docs/formats/model-registry.md): named
models whose versions point at runs' stored artifacts, aliases whose every move is kept, `trail get
model:NAME@ALIAS`, gc keeping registered artifacts, and two clones registering concurrently.

One project per module (runs are recorded once); each test uses its own model names.
"""
import json
import os
import subprocess
import time
from pathlib import Path

import pytest
import yaml

from conftest import (PYTHON, branch_file, git, init_project, make_git_repo, record, sha256_file, trail,
                      trail_popen, write_script)

COPY = """import os, shutil, sys
os.makedirs("models", exist_ok=True)
for src in sys.argv[1:]:
    shutil.copy(src, os.path.join("models", os.path.basename(src)))
"""


def make_models(directory, names, seed):
    """Model files with known bytes, outside the project."""
    directory.mkdir(parents=True, exist_ok=True)
    paths = []
    for i, name in enumerate(names):
        path = directory / name
        path.write_bytes(bytes((seed * 31 + i * 7 + k) % 251 for k in range(2000 + seed)))
        paths.append(path)
    return paths


def run_with(repo, tmp, models, *extra):
    script = write_script(tmp, "copy.py", COPY)
    trail("run", "--artifact", "models", *extra, "--", PYTHON, script, *models, cwd=repo)
    for name in os.listdir(repo / "models"):
        os.remove(repo / "models" / name)


@pytest.fixture(scope="module")
def reg(tmp_path_factory):
    """Project p: p-1 and p-2 each made one model (model.pt); p-3 made two (ambiguous); p-4 only notes."""
    tmp = tmp_path_factory.mktemp("reg")
    repo = make_git_repo(tmp / "repo")
    init_project(repo, "p")
    (repo / "train.csv").write_text("x,y\n1,2\n3,4\n")
    git("add", "train.csv", cwd=repo)
    git("commit", "-q", "-m", "data", cwd=repo)
    files = {}
    files[1] = make_models(tmp / "m1", ["model.pt"], 1)
    run_with(repo, tmp, files[1], "-p", "lr=0.1", "--data", "train=train.csv")
    files[2] = make_models(tmp / "m2", ["model.pt"], 2)
    run_with(repo, tmp, files[2], "-p", "lr=0.01")
    files[3] = make_models(tmp / "m3", ["model.pt", "model.onnx"], 3)
    run_with(repo, tmp, files[3])
    files[4] = make_models(tmp / "m4", ["notes.txt"], 4)
    run_with(repo, tmp, files[4])
    return repo, files


def rewrite_branch_without(repo, tmp, *folders, add=None):
    """The runs branch as one commit without `folders` (a new root: as if their history never held
    them), or with the files of `add` (path -> text) on top of its history."""
    env = dict(os.environ, GIT_INDEX_FILE=str(tmp / "index"))
    subprocess.run(["git", "read-tree", "trail"], cwd=repo, env=env, check=True)
    if folders:
        subprocess.run(["git", "rm", "-q", "-r", "--cached", "--ignore-unmatch", *folders], cwd=repo, env=env,
                       check=True)
    for path, text in (add or {}).items():
        blob = subprocess.run(["git", "hash-object", "-w", "--stdin"], cwd=repo, input=text, text=True,
                              check=True, capture_output=True).stdout.strip()
        subprocess.run(["git", "update-index", "--add", "--cacheinfo", f"100644,{blob},{path}"], cwd=repo, env=env,
                       check=True)
    tree = subprocess.run(["git", "write-tree"], cwd=repo, env=env, check=True, capture_output=True,
                          text=True).stdout.strip()
    parent = [] if folders else ["-p", "trail"]
    commit = git("commit-tree", tree, *parent, "-m", "rewritten", cwd=repo)
    git("update-ref", "refs/heads/trail", commit, cwd=repo)


def tip(repo):
    return git("rev-parse", "refs/heads/trail", cwd=repo)


def show_json(repo, ref, *extra):
    return json.loads(trail("model", "show", ref, "--format", "json", *extra, cwd=repo).stdout)


def test_register_keeps_the_artifact_and_lineage(reg):
    repo, files = reg
    out = trail("model", "register", "fraud", "p-1", "-m", "first cut", "--tag", "team=risk", cwd=repo)
    assert "registered fraud version 1 from p-1" in out.stdout, out.stdout
    run = record(repo, "p-1")
    rec = yaml.safe_load(branch_file(repo, "models/fraud/versions/1.yaml"))
    assert rec["model"] == "fraud" and rec["version"] == 1 and len(rec["uid"]) == 32
    assert rec["run"] == "p-1" and rec["run_uid"] == run["uid"]
    assert rec["artifact"] == {k: run["artifacts"][0][k] for k in ("path", "role", "size", "oid")}
    assert rec["artifact"]["oid"] == "sha256:" + sha256_file(files[1][0])
    assert rec["user"] == {"name": "Ann Lee", "email": "ann@example.org"}
    assert rec["message"] == "first cut" and rec["tags"] == {"team": "risk"}
    lineage = rec["lineage"]
    assert lineage["code"]["commit"] == run["code"]["commit"]
    assert lineage["code"]["snapshot"] == run["code"]["snapshot"]
    assert lineage["params"] == {"lr": 0.1}
    assert lineage["data"] == [{"role": "train", "source": "train.csv", "oid": run["data"][0]["oid"]}]

    # By file name, path or role as `trail get` picks; N = 1 + the highest so far.
    trail("model", "register", "fraud", "2", "model.pt", cwd=repo)
    trail("model", "register", "fraud", "p-3", "models/model.onnx", cwd=repo)
    trail("model", "register", "fraud", "p-3", "torch", cwd=repo)
    listed = json.loads(trail("model", "ls", "--format", "json", cwd=repo).stdout)
    fraud = next(m for m in listed if m["name"] == "fraud")
    assert fraud["latest"] == 4 and fraud["versions"] == 4 and fraud["run"] == "p-3"
    v3 = show_json(repo, "fraud:3")
    assert v3["artifact"]["path"] == "models/model.onnx" and v3["artifact"]["role"] == "onnx"
    assert show_json(repo, "fraud")["version"] == 4
    table = trail("model", "ls", cwd=repo).stdout
    assert "fraud" in table and "p-3" in table


def test_aliases_move_with_history_and_answer_at_a_date(reg):
    repo, _ = reg
    trail("model", "register", "churn", "p-1", cwd=repo)
    trail("model", "register", "churn", "p-2", cwd=repo)
    out = trail("model", "alias", "churn", "production", "1", "-m", "first release", cwd=repo)
    assert "churn@production -> version 1" in out.stdout
    time.sleep(0.01)
    out = trail("model", "alias", "churn", "production", "2", "-m", "better recall", cwd=repo)
    assert "churn@production -> version 2 (was 1)" in out.stdout
    trail("model", "alias", "churn", "staging", "@production", cwd=repo)

    view = show_json(repo, "churn@production")
    assert view["version"] == 2 and sorted(view["aliases"]) == ["production", "staging"]
    history = view["alias_history"]
    assert [(h["alias"], h["version"], h["from_version"], h["message"]) for h in history] == [
        ("production", 1, None, "first release"), ("production", 2, 1, "better recall"), ("staging", 2, None, "")]
    assert all(h["user"] == "Ann Lee <ann@example.org>" for h in history)
    # Every move is its own file.
    moves = git("ls-tree", "--name-only", "trail", "models/churn/aliases/production/", cwd=repo).splitlines()
    assert len(moves) == 2

    # Which version was in production then?
    first, second = history[0]["when"], history[1]["when"]
    assert show_json(repo, "churn@production", "--at", first)["version"] == 1
    assert show_json(repo, "churn@production", "--at", second)["version"] == 2
    assert show_json(repo, "churn@production", "--at", time.strftime("%Y-%m-%d", time.gmtime()))["version"] == 2
    early = trail("model", "show", "churn@production", "--at", "2001-01-01", cwd=repo, check=False)
    assert early.returncode == 1 and "has no alias production at 2001-01-01" in early.stderr
    text = trail("model", "show", "churn@production", cwd=repo).stdout
    assert "version:    2" in text and "production -> version 2 (was 1)" in text and "better recall" in text

    # --delete is a move too: the alias is gone now, still there in the past.
    trail("model", "alias", "churn", "staging", "--delete", "-m", "retired", cwd=repo)
    gone = trail("model", "show", "churn@staging", cwd=repo, check=False)
    assert gone.returncode == 1 and "has no alias staging" in gone.stderr
    deleted = show_json(repo, "churn:1")["alias_history"][-1]
    assert deleted["action"] == "delete" and deleted["from_version"] == 2 and deleted["message"] == "retired"
    assert show_json(repo, "churn@staging", "--at", history[2]["when"])["version"] == 2


def test_concurrent_registrations_get_distinct_numbers(reg):
    repo, _ = reg
    procs = [trail_popen("model", "register", "race", "p-1", "-m", str(i), cwd=repo) for i in range(4)]
    for p in procs:
        _, err = p.communicate(timeout=60)
        assert p.returncode == 0, err
    view = show_json(repo, "race")
    assert [v["version"] for v in view["versions"]] == [1, 2, 3, 4]


def test_get_model_restores_the_bytes(reg, tmp_path):
    repo, files = reg
    trail("model", "register", "ranker", "p-1", cwd=repo)
    trail("model", "register", "ranker", "p-2", cwd=repo)
    trail("model", "alias", "ranker", "production", "1", cwd=repo)
    out = trail("get", "model:ranker@production", "-o", tmp_path / "prod", cwd=repo)
    assert "restored 1 artifact of ranker:1" in out.stdout, out.stdout
    assert sha256_file(tmp_path / "prod" / "models" / "model.pt") == sha256_file(files[1][0])
    trail("get", "model:ranker", "-o", tmp_path / "latest", cwd=repo)
    assert sha256_file(tmp_path / "latest" / "models" / "model.pt") == sha256_file(files[2][0])
    trail("get", "model:ranker:1", "-o", tmp_path / "one", cwd=repo)
    assert sha256_file(tmp_path / "one" / "models" / "model.pt") == sha256_file(files[1][0])
    bad = trail("get", "model:ranker@nope", "-o", tmp_path / "x", cwd=repo, check=False)
    assert bad.returncode == 1 and "model ranker has no alias nope" in bad.stderr
    assert not (tmp_path / "x").exists()


ERRORS = [
    (("register", "a/b", "p-1"), 'model name "a/b" is not a valid name'),
    (("register", ".hidden", "p-1"), 'model name ".hidden" is not a valid name'),
    (("register", "x" * 101, "p-1"), "is not a valid name"),
    (("register", "ok", "p-99"), "no run p-99"),
    (("register", "ok", "p-1", "nothing.bin"), "p-1 has no artifact nothing.bin; it has: models/model.pt (torch)"),
    (("register", "ok", "p-3"),
     "p-3: more than one model artifact; name one of: models/model.onnx (onnx), models/model.pt (torch)"),
    (("register", "ok", "p-4"), "p-4 has no model artifact; name one of: models/notes.txt (other)"),
    (("alias", "nomodel", "production", "1"), "no model nomodel"),
    (("alias", "fraud", "production", "99"), "model fraud has no version 99"),
    (("alias", "fraud", "bad/alias", "1"), 'alias "bad/alias" is not a valid name'),
    (("alias", "fraud", "never", "--delete"), "model fraud has no alias never to delete"),
    (("show", "fraud@nope"), "model fraud has no alias nope"),
    (("show", "fraud:0"), "is not a number from 1"),
    (("show", "ghost"), "no model ghost"),
]


def test_errors_are_one_line_and_write_nothing(reg):
    repo, _ = reg
    if "fraud" not in trail("model", "ls", cwd=repo).stdout:  # run alone (-k): the model these name
        trail("model", "register", "fraud", "p-1", cwd=repo)
    before = tip(repo)
    for args, message in ERRORS:
        proc = trail("model", *args, cwd=repo, check=False)
        assert proc.returncode != 0, args
        lines = proc.stderr.strip().splitlines()
        assert len(lines) == 1 and message in lines[0], (args, proc.stderr)
    assert tip(repo) == before


def test_gc_keeps_a_registered_artifact_whose_run_is_gone(tmp_path):
    repo = make_git_repo(tmp_path / "repo")
    init_project(repo, "p")
    files = make_models(tmp_path / "m", ["model.pt"], 9)
    run_with(repo, tmp_path, files)
    trail("model", "register", "keeper", "p-1", cwd=repo)
    trail("rm", "p-1", cwd=repo)
    store = repo / ".git" / "trail" / "store"

    def stored():
        return sorted(p for p in store.rglob("*.pack"))

    rewrite_branch_without(repo, tmp_path, "runs")
    packs = stored()
    assert packs
    trail("gc", cwd=repo)
    assert stored() == packs  # the version record alone keeps the artifact
    trail("get", "model:keeper", "-o", tmp_path / "out", cwd=repo)
    assert sha256_file(tmp_path / "out" / "models" / "model.pt") == sha256_file(files[0])
    # Without the registry nothing needs it any more.
    rewrite_branch_without(repo, tmp_path, "models")
    trail("gc", cwd=repo)
    assert len(stored()) < len(packs)


def test_two_clones_register_concurrently_and_share(tmp_path):
    bare = tmp_path / "origin.git"
    git("init", "-q", "--bare", "-b", "main", str(bare), cwd=tmp_path)
    a = make_git_repo(tmp_path / "a")
    init_project(a, "p")
    git("remote", "add", "origin", str(bare), cwd=a)
    git("push", "-q", "origin", "main", cwd=a)
    b = tmp_path / "b"
    git("clone", "-q", str(bare), str(b), cwd=tmp_path)
    git("config", "user.name", "Bo", cwd=b)
    git("config", "user.email", "bo@example.org", cwd=b)
    files = {}
    for name, repo in (("a", a), ("b", b)):
        files[name] = make_models(tmp_path / f"m{name}", ["model.pt"], 5 if name == "a" else 6)
        run_with(repo, tmp_path / name, files[name])
        trail("model", "register", "net", "p-1", "-m", f"from {name}", cwd=repo)
        trail("model", "alias", "net", "production", "1", "-m", f"{name} ships", cwd=repo)
        time.sleep(0.01)

    trail("push", cwd=a)
    pulled = trail("pull", cwd=b)
    assert "renumbered model net:1 to net:2: origin has another version net:1" in pulled.stdout, pulled.stdout
    trail("push", cwd=b)
    trail("pull", cwd=a)

    for repo in (a, b, bare):
        versions = {}
        for n in (1, 2):
            rec = yaml.safe_load(git("show", f"trail:models/net/versions/{n}.yaml", cwd=repo))
            versions[rec["message"]] = rec
        assert versions["from a"]["version"] == 1 and "renumbered_from" not in versions["from a"]
        assert versions["from b"]["version"] == 2 and versions["from b"]["renumbered_from"] == 1
        # b's run was renumbered too (a's p-1 was pushed first): the version follows it.
        assert versions["from b"]["run"] == "p-2"
        assert versions["from b"]["artifact"]["oid"] == "sha256:" + sha256_file(files["b"][0])
        # b's alias move names its version by uid; the number it shows follows.
        moves = git("ls-tree", "-r", "--name-only", "trail", "models/net/aliases/production", cwd=repo).splitlines()
        by_message = {m["message"]: m for m in
                      (yaml.safe_load(git("show", f"trail:{path}", cwd=repo)) for path in moves)}
        assert by_message["b ships"]["version"] == 2
        assert by_message["b ships"]["version_uid"] == versions["from b"]["uid"]
        assert by_message["a ships"]["version_uid"] == versions["from a"]["uid"]
    for repo in (a, b):
        view = show_json(repo, "net@production")
        assert view["version"] == 2 and view["message"] == "from b"
        assert [(h["version"], h["message"]) for h in view["alias_history"]] == [(1, "a ships"), (2, "b ships")]
        assert [v["version"] for v in view["versions"]] == [1, 2]


CKPT = ["model.ckpt.index", "model.ckpt.data-00000-of-00001"]


def test_a_checkpoint_version_holds_both_files_and_travels(tmp_path):
    """A TensorFlow checkpoint stored as two artifacts is one version of two files: registered by
    either file, shown, pushed, pulled into a second clone, restored there byte for byte, and kept
    by gc after its run is gone."""
    bare = tmp_path / "origin.git"
    git("init", "-q", "--bare", "-b", "main", str(bare), cwd=tmp_path)
    a = make_git_repo(tmp_path / "a")
    init_project(a, "p")
    git("remote", "add", "origin", str(bare), cwd=a)
    store = tmp_path / "store-remote"
    trail("remote", "add", "origin", str(store), cwd=a)
    git("push", "-q", "origin", "main", cwd=a)
    files = make_models(tmp_path / "ckpt", CKPT, 7)
    run_with(a, tmp_path, files)
    out = trail("model", "register", "tf", "p-1", "-m", "checkpoint", cwd=a).stdout
    assert "registered tf version 1 from p-1 (models/model.ckpt.index" in out and "with 1 more file" in out, out
    # Named by its data shard: the same two files, the .index first.
    trail("model", "register", "tf", "p-1", "model.ckpt.data-00000-of-00001", cwd=a)
    run = record(a, "p-1")
    by_path = {e["path"]: e for e in run["artifacts"]}
    expected = [{k: by_path["models/" + n][k] for k in ("path", "role", "size", "oid")} for n in CKPT]
    for n in (1, 2):
        rec = yaml.safe_load(branch_file(a, f"models/tf/versions/{n}.yaml"))
        assert rec["artifacts"] == expected and rec["artifact"] == expected[0]
    shown = trail("model", "show", "tf:1", cwd=a).stdout
    assert "artifact:   models/model.ckpt.index (checkpoint" in shown, shown
    assert "with:     models/model.ckpt.data-00000-of-00001 (checkpoint" in shown, shown
    assert show_json(a, "tf:1")["artifacts"] == expected
    trail("model", "alias", "tf", "production", "1", cwd=a)
    trail("push", cwd=a, timeout=120)

    b = tmp_path / "b"
    git("clone", "-q", str(bare), str(b), cwd=tmp_path)
    git("config", "user.name", "Bo", cwd=b)
    git("config", "user.email", "bo@example.org", cwd=b)
    trail("remote", "add", "origin", str(store), cwd=b)
    trail("pull", cwd=b, timeout=120)
    got = trail("get", "model:tf@production", "-o", tmp_path / "deploy", cwd=b)
    assert "restored 2 artifacts of tf:1" in got.stdout, got.stdout
    for f in files:
        assert sha256_file(tmp_path / "deploy" / "models" / f.name) == sha256_file(f)

    # gc: the version record alone keeps both files once the run is gone from the branch.
    trail("rm", "p-1", cwd=b)
    rewrite_branch_without(b, tmp_path, "runs")
    trail("gc", cwd=b)
    trail("get", "model:tf:2", "-o", tmp_path / "after-gc", cwd=b)
    for f in files:
        assert sha256_file(tmp_path / "after-gc" / "models" / f.name) == sha256_file(f)


def test_an_old_single_artifact_version_still_shows_and_restores(reg, tmp_path):
    """A version written before versions held several files: `artifact:` only."""
    repo, files = reg
    run = record(repo, "p-1")
    entry = {k: run["artifacts"][0][k] for k in ("path", "role", "size", "oid")}
    old = {"model": "legacy", "version": 1, "uid": "ab" * 16, "run": "p-1", "run_uid": run["uid"],
           "artifact": entry, "user": {"name": "Old Trail"}, "registered": "2026-11-01T00:00:00.000Z"}
    rewrite_branch_without(repo, tmp_path, add={"models/legacy/versions/1.yaml": yaml.safe_dump(old, sort_keys=False)})
    view = show_json(repo, "legacy")
    assert view["artifact"] == entry and view["artifacts"] == [entry] and view["version"] == 1
    assert "artifact:   models/model.pt (torch" in trail("model", "show", "legacy", cwd=repo).stdout
    out = trail("get", "model:legacy", "-o", tmp_path / "legacy", cwd=repo)
    assert "restored 1 artifact of legacy:1" in out.stdout, out.stdout
    assert sha256_file(tmp_path / "legacy" / "models" / "model.pt") == sha256_file(files[1][0])


NPZ = """import numpy as np, os, sys
os.makedirs("models", exist_ok=True)
rng = np.random.default_rng(int(sys.argv[1]))
np.savez("models/weights.npz", w=rng.standard_normal((4, 3)), b=np.zeros(3))
"""


def test_inspect_and_diff_name_a_registered_version(tmp_path):
    """`trail model inspect model:NAME@ALIAS` and `trail model diff model:NAME:1 model:NAME:2` read the
    version's stored files, as `trail get model:...` restores them; an unknown one is one line."""
    repo = make_git_repo(tmp_path / "repo")
    init_project(repo, "p")
    script = write_script(tmp_path, "npz.py", NPZ)
    for seed in (1, 2):
        trail("run", "--artifact", "models", "--", PYTHON, script, str(seed), cwd=repo)
        trail("model", "register", "clf", f"p-{seed}", cwd=repo)
    trail("model", "alias", "clf", "production", "1", cwd=repo)
    report = json.loads(trail("model", "inspect", "model:clf@production", "--format", "json", cwd=repo).stdout)
    assert report["format"] == "npz" and report["parameters"] == 15, report
    text = trail("model", "inspect", "model:clf:2", cwd=repo).stdout
    assert text.startswith("model:clf:2:models/weights.npz"), text
    diff = json.loads(trail("model", "diff", "model:clf@production", "model:clf", "--format", "json", cwd=repo).stdout)
    assert diff["summary"]["changed"] == 1 and diff["summary"]["identical"] == 1, diff["summary"]
    bad = trail("model", "inspect", "model:nope@production", cwd=repo, check=False)
    assert bad.returncode != 0 and len(bad.stderr.strip().splitlines()) == 1 and "nope" in bad.stderr, bad.stderr

"""trail ls --offset, and the derived./context. fields (issue 16, the runs table's data)."""
import json

from conftest import PYTHON, init_project, ls_ids, make_git_repo, trail, write_script, git

# p-N: loss and val_loss fall to 1/N (derived.val_loss_min = 1/N); p-3 logs no acc.
WRITER = """
import json, os, sys
n = int(sys.argv[1])
with open(os.environ["TRAIL_METRICS"], "a") as f:
    for s in range(3):
        line = {"step": s, "loss": 1.0 / n + s, "val_loss": 1.0 / n + (2 - s)}
        if n != 3:
            line["acc"] = n / 10
        f.write(json.dumps(line) + "\\n")
"""


def make_runs(base):
    repo = init_project(make_git_repo(base / "shop"), "p")
    cfg = repo / ".trail" / "config.yaml"
    cfg.write_text(cfg.read_text() + "context:\n  custom:\n    dataset: {value: v3}\n    shards: {value: 12}\n")
    git("commit", "-q", "-am", "config", cwd=repo)
    script = write_script(base, "m.py", WRITER)
    for n in range(1, 7):
        trail("run", "--no-arg-params", "-p", f"lr={n / 100}", "--", PYTHON, script, str(n), cwd=repo)
    return repo


def test_offset_pages_every_ordering(tmp_path):
    repo = make_runs(tmp_path)
    assert ls_ids(repo) == ["p-6", "p-5", "p-4", "p-3", "p-2", "p-1"]
    assert ls_ids(repo, "--offset", "2", "--limit", "3") == ["p-4", "p-3", "p-2"]
    assert ls_ids(repo, "--offset", "6") == []
    by_acc = ls_ids(repo, "--sort", "metrics.acc")
    assert by_acc == ["p-1", "p-2", "p-4", "p-5", "p-6", "p-3"]  # without acc: last
    for offset in range(0, 8):
        for limit in (1, 2, 4):
            assert ls_ids(repo, "--sort", "metrics.acc", "--offset", str(offset), "--limit", str(limit)) == \
                by_acc[offset:offset + limit], (offset, limit)
    desc = ls_ids(repo, "--sort", "params.lr", "--desc", "--where", "metrics.acc > 0.15")
    assert desc == ["p-6", "p-5", "p-4", "p-2"]
    assert ls_ids(repo, "--sort", "params.lr", "--desc", "--where", "metrics.acc > 0.15", "--offset", "3") == ["p-2"]
    # The table and csv formats page the same way.
    csv_out = trail("ls", "--format", "csv", "--columns", "id", "--offset", "4", cwd=repo).stdout.split()
    assert csv_out[1:] == ["p-2", "p-1"]


def test_offset_errors(tmp_path):
    repo = init_project(make_git_repo(tmp_path / "r"), "p")
    for bad in ("-1", "x", ""):
        proc = trail("ls", "--offset", bad, cwd=repo, check=False)
        assert proc.returncode != 0, bad
        assert proc.stderr.strip() and len(proc.stderr.strip().splitlines()) == 1, proc.stderr
    assert "--offset" in trail("ls", "--help", cwd=repo).stdout


def test_derived_and_context_fields(tmp_path):
    repo = make_runs(tmp_path)
    assert ls_ids(repo, "--where", "derived.val_loss_min < 0.3") == ["p-6", "p-5", "p-4"]
    assert ls_ids(repo, "--sort", "derived.val_loss_min", "--limit", "2") == ["p-6", "p-5"]
    assert ls_ids(repo, "--sort", "derived.val_loss_min", "--desc", "--offset", "5") == ["p-6"]
    assert len(ls_ids(repo, "--where", "context.dataset = 'v3' and context.shards >= 12")) == 6
    assert ls_ids(repo, "--where", "context.shards > 12") == []
    assert len(ls_ids(repo, "--where", "context.code.branch = 'main' and context.code.dirty = false")) == 6
    assert len(ls_ids(repo, "--where", "context.host IS NOT NULL")) == 6
    assert ls_ids(repo, "--where", "context.nope = 1 or derived.nope < 1") == []
    out = trail("ls", "--format", "csv", "--columns", "id,derived.val_loss_min,context.dataset", "--limit", "1",
                cwd=repo).stdout.splitlines()
    assert out[0] == "id,derived.val_loss_min,context.dataset"
    assert out[1].startswith("p-6,0.1666") and out[1].endswith(",v3"), out
    # ls --format json keeps its shape: no derived/context keys unless asked for as columns.
    row = json.loads(trail("ls", "--format", "json", "--limit", "1", cwd=repo).stdout)[0]
    assert "derived" not in row and "context" not in row
    proc = trail("ls", "--where", "derived.val_loss_min <", cwd=repo, check=False)
    assert proc.returncode != 0
    assert "bad query at column" in proc.stderr
    proc = trail("ls", "--columns", "id,bogus.x", cwd=repo, check=False)
    assert proc.returncode != 0 and "derived.KEY" in proc.stderr

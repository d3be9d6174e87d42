"""trail init: making a Git repository a trail project."""

import json
import sys

import yaml

from conftest import git, make_git_repo, sha256_file, trail


def test_init_creates_config_and_gitignore_and_says_what_to_add(git_repo):
    proc = trail("init", "--name", "fraud", cwd=git_repo)
    cfg_path = git_repo / ".trail" / "config.yaml"
    ignore_path = git_repo / ".trail" / ".gitignore"
    assert cfg_path.is_file() and ignore_path.is_file()
    cfg = yaml.safe_load(cfg_path.read_text())
    assert cfg["name"] == "fraud"
    # The message tells the user what to commit.
    assert "git add" in proc.stdout
    assert ".trail/config.yaml" in proc.stdout and ".trail/.gitignore" in proc.stdout
    assert "fraud" in proc.stdout
    # Local state is ignored, the configuration is not.
    status = git("status", "--porcelain=v1", "-uall", cwd=git_repo)
    assert "?? .trail/config.yaml" in status
    assert "?? .trail/.gitignore" in status
    (git_repo / ".trail" / "index.sqlite").write_bytes(b"x")
    (git_repo / ".trail" / "live").mkdir(exist_ok=True)
    (git_repo / ".trail" / "live" / "junk").write_text("x")
    status = git("status", "--porcelain=v1", "-uall", cwd=git_repo)
    assert "index.sqlite" not in status and "live" not in status
    # Nothing was committed or staged for the user.
    assert git("diff", "--cached", "--name-only", cwd=git_repo) == ""


def test_init_default_name_is_folder_name(tmp_path):
    repo = make_git_repo(tmp_path / "churn_model")
    trail("init", cwd=repo)
    cfg = yaml.safe_load((repo / ".trail" / "config.yaml").read_text())
    assert cfg["name"] == "churn_model"
    git("add", ".trail", cwd=repo)
    git("commit", "-q", "-m", "trail", cwd=repo)
    run = trail("run", "--", "true", cwd=repo)
    assert "trail: recording churn_model-1" in run.stderr


def test_init_twice_changes_nothing(git_repo):
    trail("init", "--name", "fraud", cwd=git_repo)
    files = sorted(p for p in (git_repo / ".trail").rglob("*") if p.is_file())
    before = {str(p): sha256_file(p) for p in files}
    proc = trail("init", "--name", "other", cwd=git_repo)
    assert "already" in proc.stdout + proc.stderr
    files_after = sorted(p for p in (git_repo / ".trail").rglob("*") if p.is_file())
    after = {str(p): sha256_file(p) for p in files_after}
    assert before == after
    assert yaml.safe_load((git_repo / ".trail" / "config.yaml").read_text())["name"] == "fraud"


def test_init_in_subdirectory_uses_repo_root(git_repo):
    trail("init", "--name", "sub", cwd=git_repo / "src")
    assert (git_repo / ".trail" / "config.yaml").is_file()
    assert not (git_repo / "src" / ".trail").exists()


def test_init_outside_git_repo_fails_and_mentions_git(tmp_path):
    d = tmp_path / "nogit"
    d.mkdir()
    proc = trail("init", cwd=d, check=False)
    assert proc.returncode != 0
    err = proc.stderr.strip()
    assert len(err.splitlines()) == 1, err
    assert "--git" in err
    assert not (d / ".trail").exists()
    assert not (d / ".git").exists()


def test_init_with_git_creates_repository(tmp_path):
    d = tmp_path / "fresh"
    d.mkdir()
    trail("init", "--git", "--name", "fresh", cwd=d)
    assert (d / ".git").is_dir()
    assert git("rev-parse", "--show-toplevel", cwd=d) == str(d.resolve())
    assert (d / ".trail" / "config.yaml").is_file()
    assert yaml.safe_load((d / ".trail" / "config.yaml").read_text())["name"] == "fresh"


def test_init_rejects_invalid_name(git_repo):
    for bad in ["has space", "-dash", "a/b", "ünï"]:
        proc = trail("init", f"--name={bad}", cwd=git_repo, check=False)
        assert proc.returncode != 0, bad
        assert proc.stderr.strip() and len(proc.stderr.strip().splitlines()) == 1, proc.stderr
        assert not (git_repo / ".trail" / "config.yaml").exists(), bad


def test_dash_C_runs_as_if_started_there(git_repo, tmp_path):
    # git's -C DIR before the command; repeated, each is relative to the previous (issue 19).
    sub = git_repo / "src"
    sub.mkdir(exist_ok=True)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    trail("-C", str(git_repo), "init", "--name", "cee", cwd=elsewhere)
    assert (git_repo / ".trail" / "config.yaml").exists()
    out = trail("-C", str(git_repo.parent), "-C", git_repo.name, "-C", "src", "ls", "--format", "json", cwd=elsewhere)
    assert out.stdout.strip() == "[]"
    # `trail -C DIR run -- CMD`: the command after -- is still the user's, run in DIR.
    trail("-C", str(git_repo), "run", "--", sys.executable, "-c", "import os; print(os.getcwd())", cwd=elsewhere)
    assert json.loads(trail("-C", str(git_repo), "ls", "--format", "json", cwd=elsewhere).stdout)[0]["id"] == "cee-1"
    # -C "" changes nothing, as in git.
    assert trail("-C", "", "ls", "--format", "csv", cwd=sub).returncode == 0
    bad = trail("-C", str(tmp_path / "nope"), "ls", cwd=elsewhere, check=False)
    assert bad.returncode != 0 and "cannot change to" in bad.stderr and "nope" in bad.stderr
    assert len(bad.stderr.strip().splitlines()) == 1
    dangling = trail("-C", cwd=elsewhere, check=False)
    assert dangling.returncode != 0 and "-C needs a directory" in dangling.stderr
    outside = trail("-C", str(elsewhere), "ls", cwd=git_repo, check=False)
    assert outside.returncode != 0  # not a project there: -C really moved
    assert "-C DIR" in trail("--help", cwd=elsewhere).stdout

"""Bad input: a clear one-line error and a non-zero exit, and nothing half-done."""
import os

import pytest

from conftest import branch_commits, env_with, git, ls_ids, record, trail


def one_line_error(proc):
    assert proc.returncode != 0, proc
    err = proc.stderr.strip()
    assert err, "expected an error message"
    assert len(err.splitlines()) == 1, err
    return err


@pytest.mark.parametrize("args", [["ls"], ["show", "1"], ["diff", "1", "2"], ["tag", "1", "a=b"],
                                  ["run", "--", "touch", "RAN"]])
def test_not_a_git_repo(tmp_path, args):
    d = tmp_path / "nogit"
    d.mkdir()
    proc = trail(*args, cwd=d, check=False)
    err = one_line_error(proc)
    assert "git" in err.lower()
    assert not (d / "RAN").exists(), "the command must not run outside a project"
    assert not (d / ".trail").exists()


@pytest.mark.parametrize("args", [["ls"], ["show", "1"], ["run", "--", "touch", "RAN"], ["index"]])
def test_git_repo_not_initialized(git_repo, args):
    proc = trail(*args, cwd=git_repo, check=False)
    err = one_line_error(proc)
    assert "trail init" in err
    assert not (git_repo / "RAN").exists()
    assert not (git_repo / ".trail").exists()
    assert git("branch", "--list", "trail", cwd=git_repo) == ""


@pytest.mark.parametrize("args", [["show", "p-5"], ["show", "5"], ["tag", "p-5", "a=b"], ["note", "p-5", "hi"],
                                  ["rm", "p-5"], ["diff", "p-1", "p-5"], ["show", "q-1"]])
def test_unknown_run(project, args):
    trail("run", "--", "true", cwd=project)
    before = branch_commits(project)
    err = one_line_error(trail(*args, cwd=project, check=False))
    assert args[-1] in err or "p-5" in err or "5" in err
    assert branch_commits(project) == before


def test_unknown_run_before_any_run(project):
    err = one_line_error(trail("show", "p-1", cwd=project, check=False))
    assert "p-1" in err


def test_malformed_where(project):
    trail("run", "--", "true", cwd=project)
    err = one_line_error(trail("ls", "--where", "metrics.loss <", cwd=project, check=False))
    assert "column" in err
    err = one_line_error(trail("ls", "--where", "params.lr = 1 and", cwd=project, check=False))
    assert "column" in err
    err = one_line_error(trail("ls", "--sort", "metrics.", cwd=project, check=False))
    assert "sort" in err


@pytest.mark.parametrize("flag, value", [("-p", "lr"), ("-p", "=3"), ("--tag", "novalue")])
def test_bad_assignment_runs_nothing(project, flag, value):
    proc = trail("run", flag, value, "--", "touch", "RAN", cwd=project, check=False)
    err = one_line_error(proc)
    assert value in err
    assert not (project / "RAN").exists()
    assert branch_commits(project) == []
    assert not os.listdir(project / ".trail" / "live")


def test_bad_params_file_runs_nothing(project):
    (project / "params.yaml").write_text("lr: [1, 2\nbad: : :\n")
    proc = trail("run", "--", "touch", "RAN", cwd=project, check=False)
    err = one_line_error(proc)
    assert "params.yaml" in err
    assert not (project / "RAN").exists()
    assert branch_commits(project) == []


def test_run_without_command(project):
    proc = trail("run", cwd=project, check=False)
    assert proc.returncode != 0 and proc.stderr.strip()
    proc = trail("run", "--", cwd=project, check=False)
    assert proc.returncode != 0 and proc.stderr.strip()
    assert branch_commits(project) == []


def test_unknown_subcommand_and_bad_format(project):
    assert trail("frobnicate", cwd=project, check=False).returncode != 0
    proc = trail("ls", "--format", "xml", cwd=project, check=False)
    assert proc.returncode != 0 and proc.stderr.strip()


def test_help_for_every_command(project):
    for cmd in ("init", "run", "ls", "show", "diff", "tag", "note", "rm", "index"):
        proc = trail(cmd, "--help", cwd=project)
        assert proc.returncode == 0 and "Usage" in proc.stdout + proc.stderr, cmd


def commit_blob_on_branch(repo, tmp_path, path, content):
    """Writes `content` at `path` on the runs branch with plumbing only, as a buggy tool might."""
    blob = git("hash-object", "-w", "--stdin", cwd=repo, input=content)
    env = env_with(GIT_INDEX_FILE=str(tmp_path / "tmp-index"))
    git("read-tree", "trail", cwd=repo, env=env)
    git("update-index", "--add", "--cacheinfo", f"100644,{blob},{path}", cwd=repo, env=env)
    tree = git("write-tree", cwd=repo, env=env)
    commit = git("commit-tree", tree, "-p", "trail", "-m", f"corrupt {path}", cwd=repo)
    git("update-ref", "refs/heads/trail", commit, cwd=repo)
    os.unlink(env["GIT_INDEX_FILE"])


@pytest.mark.parametrize("content", [
    "id: [unclosed\n  number: : :\n\t- what\n",
    "just a string\n",
    "number: 3\nstatus: finished\n",          # no id
    "\x00\x01\x02 binary junk \xff\n",
])
def test_corrupt_record_on_branch_is_skipped_with_warning(project, tmp_path, content):
    trail("run", "-p", "x=1", "--", "true", cwd=project)
    trail("run", "-p", "x=2", "--", "true", cwd=project)
    trail("ls", cwd=project)  # index is warm: the corrupt record arrives as an update
    commit_blob_on_branch(project, tmp_path, "runs/000/p-3/run.yaml", content)
    proc = trail("ls", cwd=project)
    assert proc.returncode == 0
    assert "runs/000/p-3/run.yaml" in proc.stderr and "warning" in proc.stderr
    assert [l.split()[0] for l in proc.stdout.splitlines()[1:]] == ["p-2", "p-1"]
    assert ls_ids(project) == ["p-2", "p-1"]
    # from a cold index too
    (project / ".trail" / "index.sqlite").unlink()
    proc = trail("ls", "--format", "json", cwd=project)
    assert "runs/000/p-3/run.yaml" in proc.stderr
    assert ls_ids(project, "--where", "params.x = 2") == ["p-2"]
    # the number is not reused: the damaged record is not overwritten
    run = trail("run", "--", "true", cwd=project)
    assert "recording p-4" in run.stderr
    assert git("show", "trail:runs/000/p-3/run.yaml", cwd=project, text=False) == content.encode()


def test_existing_record_corrupted_later(project, tmp_path):
    trail("run", "--", "true", cwd=project)
    trail("run", "--", "true", cwd=project)
    trail("ls", cwd=project)
    commit_blob_on_branch(project, tmp_path, "runs/000/p-1/run.yaml", "{{{{ not yaml\n")
    proc = trail("ls", cwd=project)
    assert proc.returncode == 0
    assert "runs/000/p-1/run.yaml" in proc.stderr
    assert ls_ids(project) == ["p-2"]
    err = one_line_error(trail("show", "p-1", cwd=project, check=False))
    assert "p-1" in err
    assert record(project, "p-2")["id"] == "p-2"


def test_corrupt_config(project):
    (project / ".trail" / "config.yaml").write_text("name: [oops\n")
    err = one_line_error(trail("ls", cwd=project, check=False))
    assert "config.yaml" in err
    (project / ".trail" / "config.yaml").write_text("name: bad name!\n")
    err = one_line_error(trail("run", "--", "touch", "RAN", cwd=project, check=False))
    assert "config.yaml" in err
    assert not (project / "RAN").exists()

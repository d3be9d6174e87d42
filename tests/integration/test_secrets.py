"""No secrets in records: untracked secret files stay out of code snapshots (and so out of `trail push`),
secret-looking params and command-line values are recorded as "***"."""
import yaml

from conftest import PYTHON, env_with, git, record, trail, write_script

SECRET = "hunter2-s3cr3t"


def everything_trail_shares(repo):
    """Every commit of every ref with its changes: the runs branch and the code snapshots that `trail push`
    sends are among them."""
    return git("log", "-p", "--all", cwd=repo)


def tree_of(repo, ref):
    return set(git("ls-tree", "-r", "--name-only", ref, cwd=repo).split("\n"))


def test_untracked_secret_files_stay_out_of_the_snapshot(project):
    (project / "model.pem").write_text("committed on purpose\n")
    git("add", "model.pem", cwd=project)
    git("commit", "-q", "-m", "a tracked key is the user's", cwd=project)
    (project / ".env").write_text(f"API_TOKEN={SECRET}\n")
    (project / ".ssh").mkdir()
    (project / ".ssh" / "id_rsa").write_text(f"-----BEGIN OPENSSH PRIVATE KEY-----\n{SECRET}\n")
    (project / "server.pem").write_text(f"{SECRET}\n")
    (project / "credentials.json").write_text(f'{{"key": "{SECRET}"}}\n')
    (project / "train.py").write_text("print('training')\n")
    trail("run", "--", PYTHON, "train.py", cwd=project)
    code = record(project, "p-1")["code"]
    assert code["excluded"] == [".env", ".ssh/id_rsa", "credentials.json", "server.pem"]
    assert code["dirty"] is True
    files = tree_of(project, "refs/trail/code/p-1")
    assert "train.py" in files and "model.pem" in files
    assert not files & {".env", ".ssh/id_rsa", "server.pem", "credentials.json"}
    assert SECRET not in everything_trail_shares(project)

    # The dry run says the same, and writes nothing.
    ctx = yaml.safe_load(trail("context", cwd=project).stdout)
    assert ctx["code"]["excluded"] == code["excluded"]


def test_secret_files_list_is_overridable(project):
    cfg = project / ".trail" / "config.yaml"
    cfg.write_text(cfg.read_text() + "context:\n  secret_files: ['*.vault']\n")
    git("commit", "-q", "-am", "own list", cwd=project)
    (project / ".env").write_text("DEBUG=1\n")
    (project / "prod.vault").write_text(f"{SECRET}\n")
    trail("run", "--", "true", cwd=project)
    assert record(project, "p-1")["code"]["excluded"] == ["prod.vault"]
    assert ".env" in tree_of(project, "refs/trail/code/p-1")

    cfg.write_text(cfg.read_text().replace("['*.vault']", "'*.vault'"))
    proc = trail("run", "--", "true", cwd=project, check=False)
    assert proc.returncode != 0
    assert proc.stderr.strip() == ("trail: error: .trail/config.yaml: context.secret_files: expected a list of "
                                   "file patterns such as .env or '*.pem'")


def test_secret_params_and_command_values_are_masked(project, scripts):
    (project / "params.yaml").write_text(f"db:\n  host: localhost\n  password: {SECRET}\nlr: 0.1\n")
    git("add", "params.yaml", cwd=project)
    git("commit", "-q", "-m", "params", cwd=project)  # a committed file: only the record is masked
    # The output tail is recorded too: the program says only whether it got the real values.
    script = write_script(scripts, "train.py", f"import sys; print('real' if '{SECRET}' in sys.argv else 'masked')\n")
    proc = trail("run", "-p", f"hf_token={SECRET}", "-p", "tokenizer=bpe", "--", PYTHON, script,
                 "--password", SECRET, f"--api-key={SECRET}", f"aws.secretAccessKey={SECRET}", "--epochs", "3",
                 "--use-auth", cwd=project)
    # The program itself still gets the real values.
    assert proc.stdout.strip() == "real"
    rec = record(project, "p-1")
    params = rec["params"]
    assert params["db.password"] == "***" and params["db.host"] == "localhost" and params["lr"] == 0.1
    assert params["password"] == "***" and params["api-key"] == "***" and params["hf_token"] == "***"
    assert params["tokenizer"] == "bpe" and params["epochs"] == 3 and params["use-auth"] is True
    assert rec["command"] == [PYTHON, script, "--password", "***", "--api-key=***", "aws.secretAccessKey=***",
                              "--epochs", "3", "--use-auth"]
    shared = git("log", "-p", "trail", cwd=project)
    assert SECRET not in shared
    assert SECRET not in trail("show", "p-1", cwd=project).stdout


def test_secret_custom_context_fields_are_masked(project):
    cfg = project / ".trail" / "config.yaml"
    cfg.write_text(cfg.read_text() + "context:\n  custom:\n    registry: {env: TRAIL_TEST_REGISTRY_TOKEN}\n"
                   "    region: {env: TRAIL_TEST_REGION}\n")
    git("commit", "-q", "-am", "custom", cwd=project)
    trail("run", "--", "true", cwd=project,
          env=env_with(TRAIL_TEST_REGISTRY_TOKEN=SECRET, TRAIL_TEST_REGION="eu-west-1"))
    ctx = record(project, "p-1")["context"]
    assert ctx == {"registry": "***", "region": "eu-west-1"}
    assert SECRET not in git("log", "-p", "trail", cwd=project)


def test_show_says_why_a_run_is_dirty_when_only_secrets_were_left_out(project):
    (project / "server.pem").write_text(f"{SECRET}\n")
    trail("run", "--", "true", cwd=project)
    code = record(project, "p-1")["code"]
    assert code["dirty"] is True and "changed" not in code
    shown = trail("show", "p-1", cwd=project).stdout
    assert "dirty          yes: files left out of the snapshot (below)\n" in shown
    assert "secret files   server.pem\n" in shown
    assert SECRET not in shown

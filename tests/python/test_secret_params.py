"""Params the Python client logs are masked like every other param: a secret-looking name records "***"."""
from conftest import PYTHON, git, python, record, trail, write

SECRET = "hunter2-s3cr3t"

SCRIPT = f"""
import trail
with trail.start_run(params={{"lr": 0.1, "db_password": "{SECRET}"}}):
    trail.log_param("hf_token", "{SECRET}")
    trail.log_params({{"apiKey": "{SECRET}", "tokenizer": "bpe"}})
"""

JOINED = f"""
import trail
trail.log_param("wandb_api_key", "{SECRET}")
trail.log_param("batch", 32)
"""


def test_logged_secret_params_are_masked(project):
    python(write(project, "train.py", SCRIPT), cwd=project)
    params = record(project, "p-1")["params"]
    assert params == {"lr": 0.1, "db_password": "***", "hf_token": "***", "apiKey": "***", "tokenizer": "bpe"}
    assert SECRET not in git("log", "-p", "trail", cwd=project)


def test_params_logged_under_trail_run_are_masked(project):
    script = write(project, "joined.py", JOINED)
    trail("run", "--", PYTHON, script, cwd=project)
    params = record(project, "p-1")["params"]
    assert params["wandb_api_key"] == "***" and params["batch"] == 32
    assert SECRET not in git("log", "-p", "trail", cwd=project)

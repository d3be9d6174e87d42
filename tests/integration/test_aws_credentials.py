"""S3 credentials from the AWS CLI's chain (docs/remotes.md): a push whose keys come from an
instance metadata stand-in (IMDSv2) or from a profile's role (an STS stand-in), the chain failing
fast where nothing answers, and no secret from the environment or the stand-ins' answers in any
record, log, stdout or stderr.

The stand-ins are Python http.servers on 127.0.0.1 started by the tests, never AWS; s3rver (the
`s3` fixture of test_remotes.py) accepts the access key "S3RVER" with any secret and token.
"""
import json
import subprocess
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from conftest import PYTHON, env_with, git, init_project, make_git_repo, trail
import test_remotes
from test_remotes import BUCKET, local_packs, write_random


SECRET_KEY = "SECRETKEY-imds-7f3a9c"
SESSION_TOKEN = "SECRETTOKEN-imds-51d2e8"
ENV_SECRETS = {"AWS_SECRET_ACCESS_KEY": "SECRETENV-key-a81c", "AWS_SESSION_TOKEN": "SECRETENV-token-b92d",
               "AWS_CONTAINER_AUTHORIZATION_TOKEN": "SECRETENV-ecs-c03e"}


class StandIn:
    """An HTTP server whose answers come from `handler(method, path, headers, body) -> (status, body)`;
    it keeps every request it saw."""

    def __init__(self, handler):
        self.requests = []
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def _serve(self):
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length).decode() if length else ""
                headers = {k.lower(): v for k, v in self.headers.items()}
                outer.requests.append((self.command, self.path, headers, body))
                status, answer = handler(self.command, self.path, headers, body)
                data = answer.encode()
                self.send_response(status)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            do_GET = do_PUT = do_POST = _serve

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


def creds_json(key_id, secret, token):
    return json.dumps({"Code": "Success", "AccessKeyId": key_id, "SecretAccessKey": secret, "Token": token,
                       "Expiration": "2099-01-01T00:00:00Z"})


def imds_handler(key_id):
    """IMDSv2: credentials only with the session token from PUT /latest/api/token."""
    def handle(method, path, headers, body):
        if method == "PUT" and path == "/latest/api/token":
            return (200, "IMDS-SESSION") if headers.get("x-aws-ec2-metadata-token-ttl-seconds") else (400, "")
        if headers.get("x-aws-ec2-metadata-token") != "IMDS-SESSION":
            return 401, ""
        if path == "/latest/meta-data/iam/security-credentials/":
            return 200, "trainer-role"
        if path == "/latest/meta-data/iam/security-credentials/trainer-role":
            return 200, creds_json(key_id, SECRET_KEY, SESSION_TOKEN)
        return 404, ""
    return handle


@pytest.fixture(scope="module")
def s3(tmp_path_factory):
    """test_remotes.py's s3rver, started once for this file (each test uses its own prefix)."""
    yield from test_remotes.s3.__wrapped__(tmp_path_factory.mktemp("s3"))


@pytest.fixture
def repo(tmp_path):
    """A project with one tracked file (so one pack to push) and one recorded run."""
    a = make_git_repo(tmp_path / "a")
    init_project(a, "p")
    write_random(a / "data.bin", 200000, seed=5)
    trail("add", "data.bin", cwd=a)
    git("add", "-A", cwd=a)
    git("commit", "-q", "-m", "data", cwd=a)
    return a


def no_key_env(s3, **extra):
    """The s3 fixture's environment without static keys: credentials must come from the chain."""
    env = dict(s3["env"])
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_ENDPOINT_URL",
                 "AWS_EC2_METADATA_DISABLED"):
        env.pop(name, None)
    env["AWS_ENDPOINT_URL_S3"] = s3["endpoint"]
    env.update(extra)
    return env


def test_push_with_instance_metadata_credentials(repo, s3):
    imds = StandIn(imds_handler("S3RVER"))
    try:
        env = no_key_env(s3, AWS_EC2_METADATA_SERVICE_ENDPOINT=imds.url)
        trail("remote", "add", "origin", f"s3://{BUCKET}/imds", cwd=repo, env=env)
        pushed = trail("push", "--no-git", "--format", "json", cwd=repo, env=env, timeout=120)
        assert json.loads(pushed.stdout)["packs_moved"] == len(local_packs(repo)) >= 1
        # Every credentials request carried the IMDSv2 session token; s3rver took the key it handed out.
        gets = [r for r in imds.requests if r[0] == "GET"]
        assert gets and all(r[2].get("x-aws-ec2-metadata-token") == "IMDS-SESSION" for r in gets)
        for secret in (SECRET_KEY, SESSION_TOKEN):
            assert secret not in pushed.stdout + pushed.stderr

        # A key s3rver does not know: the push fails, naming the object, never the secret.
        imds.close()
        imds = StandIn(imds_handler("UNKNOWNKEY"))
        env["AWS_EC2_METADATA_SERVICE_ENDPOINT"] = imds.url
        write_random(repo / "more.bin", 100000, seed=6)
        trail("add", "more.bin", cwd=repo, env=env)
        refused = trail("push", "--no-git", cwd=repo, env=env, check=False, timeout=120)
        assert refused.returncode == 1 and "403" in refused.stderr, refused.stderr
        for secret in (SECRET_KEY, SESSION_TOKEN):
            assert secret not in refused.stdout + refused.stderr
    finally:
        imds.close()


def test_environment_wins_over_instance_metadata(repo, s3):
    imds = StandIn(imds_handler("UNKNOWNKEY"))
    try:
        env = dict(s3["env"], AWS_EC2_METADATA_SERVICE_ENDPOINT=imds.url)
        trail("remote", "add", "origin", f"s3://{BUCKET}/order", cwd=repo, env=env)
        trail("push", "--no-git", cwd=repo, env=env, timeout=120)
        assert imds.requests == []
    finally:
        imds.close()


def test_profile_role_through_sts_wins_over_static_keys(repo, s3, tmp_path):
    def sts(method, path, headers, body):
        form = urllib.parse.parse_qs(body)
        if method != "POST" or form.get("Action") != ["AssumeRole"]:
            return 400, ""
        if "Credential=BASEKEY/" not in headers.get("authorization", ""):
            return 403, "<ErrorResponse><Error><Code>AccessDenied</Code></Error></ErrorResponse>"
        return 200, ("<AssumeRoleResponse><AssumeRoleResult><Credentials><AccessKeyId>S3RVER</AccessKeyId>"
                     f"<SecretAccessKey>{SECRET_KEY}</SecretAccessKey><SessionToken>{SESSION_TOKEN}</SessionToken>"
                     "<Expiration>2099-01-01T00:00:00Z</Expiration></Credentials></AssumeRoleResult>"
                     "</AssumeRoleResponse>")
    stand_in = StandIn(sts)
    try:
        (tmp_path / "credentials").write_text(
            "[base]\naws_access_key_id = BASEKEY\naws_secret_access_key = BASESECRET\n"
            "[trainer]\naws_access_key_id = UNKNOWNKEY\naws_secret_access_key = x\n")
        (tmp_path / "config").write_text(
            "[profile trainer]\nrole_arn = arn:aws:iam::123456789012:role/trainer\nsource_profile = base\n"
            "external_id = ext-42\n")
        env = no_key_env(s3, AWS_SHARED_CREDENTIALS_FILE=str(tmp_path / "credentials"),
                         AWS_CONFIG_FILE=str(tmp_path / "config"), AWS_PROFILE="trainer",
                         AWS_ENDPOINT_URL_STS=stand_in.url, AWS_EC2_METADATA_DISABLED="true")
        trail("remote", "add", "origin", f"s3://{BUCKET}/role", cwd=repo, env=env)
        pushed = trail("push", "--no-git", cwd=repo, env=env, timeout=120)
        assert "pushed 1 pack" in pushed.stdout, pushed.stdout
        form = urllib.parse.parse_qs(stand_in.requests[-1][3])
        assert form["RoleArn"] == ["arn:aws:iam::123456789012:role/trainer"] and form["ExternalId"] == ["ext-42"]
        assert "BASESECRET" not in pushed.stdout + pushed.stderr
    finally:
        stand_in.close()


def test_no_credentials_fails_fast_when_no_metadata_service_answers(repo, tmp_path):
    import socket
    silent = socket.socket()
    silent.bind(("127.0.0.1", 0))
    silent.listen(8)  # takes connections, never answers
    try:
        env = env_with(AWS_ACCESS_KEY_ID=None, AWS_SECRET_ACCESS_KEY=None, AWS_PROFILE=None,
                       AWS_CONFIG_FILE="/dev/null", AWS_SHARED_CREDENTIALS_FILE="/dev/null",
                       AWS_EC2_METADATA_DISABLED=None,
                       AWS_EC2_METADATA_SERVICE_ENDPOINT=f"http://127.0.0.1:{silent.getsockname()[1]}")
        start = time.monotonic()
        added = trail("remote", "add", "origin", f"s3://{BUCKET}/none", cwd=repo, env=env, check=False)
        elapsed = time.monotonic() - start
        assert added.returncode != 0 and "no AWS credentials" in added.stderr, added.stderr
        assert len(added.stderr.strip().splitlines()) == 1
        assert elapsed < 2.5, elapsed  # the chain's 1.5 s budget plus the binary's start
    finally:
        silent.close()


def test_no_secret_in_records_logs_or_output(repo, s3):
    """Secrets in the environment never reach a run record, the output log, stdout or stderr."""
    env = dict(s3["env"], **ENV_SECRETS, AWS_EC2_METADATA_DISABLED="true")
    outputs = []

    def run(*args, check=True):
        proc = trail(*args, cwd=repo, env=env, check=check, timeout=120)
        outputs.append(proc.stdout + proc.stderr)
        return proc

    run("remote", "add", "origin", f"s3://{BUCKET}/secrets")
    run("remote", "add", "nobucket", "s3://no-such-bucket/x")
    run("run", "--", PYTHON, "-c", "print('loss=0.25')")
    run("push", "--no-git", "--format", "json")
    failed = run("push", "--no-git", "-r", "nobucket", check=False)
    assert failed.returncode == 1
    failed_json = run("push", "--no-git", "-r", "nobucket", "--format", "json", check=False)
    assert failed_json.returncode == 1
    run("ls", "--format", "json")
    run("show", "p-1", "--format", "json")
    run("remote", "ls", "--format", "json")
    shared = git("log", "-p", "--all", cwd=repo)  # the runs branch and code refs: what push shares
    files = []
    for path in (repo / ".git" / "trail").rglob("*"):
        if path.is_file() and "store" not in path.parts:
            files.append(path.read_bytes().decode(errors="replace"))
    for secret in ENV_SECRETS.values():
        for text in outputs + [shared] + files:
            assert secret not in text

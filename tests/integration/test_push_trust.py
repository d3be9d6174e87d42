"""What `trail push` sends and shows: never a corrupt pack, never a secret.

A corrupt pack in the local store (bad disk, bug) must not be uploaded to a remote, where every
clone would fetch it; remote URLs may embed passwords and tokens, which no message may echo.
"""
import socket

from conftest import env_with, git, py, trail
from test_remotes import local_packs, make_origin, remote_idx_ids


def _closed_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_push_refuses_a_corrupt_local_pack_and_uploads_nothing_of_it(tmp_path):
    a, _ = make_origin(tmp_path)
    remote = tmp_path / "store-remote"
    trail("remote", "add", "origin", str(remote), cwd=a)
    pack_id, path = sorted(local_packs(a).items(), key=lambda kv: kv[1].stat().st_size)[-1]
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0xFF  # a blob's bytes: the pack's name (its index's hash) still matches
    path.chmod(0o644)
    path.write_bytes(bytes(data))

    pushed = trail("push", "--no-git", "--jobs", "1", cwd=a, check=False)
    assert pushed.returncode == 1
    err = pushed.stderr.strip()
    assert len(err.splitlines()) == 1, err
    assert pack_id in err and "corrupt" in err and "trail fsck" in err, err
    assert pack_id not in remote_idx_ids(remote)
    assert not (remote / "packs" / pack_id[:2] / (pack_id + ".pack")).exists()


def test_secrets_in_an_s3_endpoint_never_reach_messages(tmp_path, project):
    env = env_with(AWS_ACCESS_KEY_ID="AKIDEXAMPLE", AWS_SECRET_ACCESS_KEY="wJalrXUtnFEMIsecretKEY",
                   AWS_ENDPOINT_URL=f"http://minio:s3cr3tPass@127.0.0.1:{_closed_port()}", AWS_REGION="us-east-1",
                   AWS_PROFILE=None, AWS_SESSION_TOKEN=None, AWS_CONFIG_FILE="/dev/null",
                   AWS_SHARED_CREDENTIALS_FILE="/dev/null")
    trail("remote", "add", "origin", "s3://bucket/x", cwd=project, env=env)
    (project / "w.bin").write_bytes(b"x" * 1000)
    trail("add", "w.bin", cwd=project, env=env)
    pushed = trail("push", "--no-git", cwd=project, env=env, check=False, timeout=120)
    assert pushed.returncode == 1
    shown = pushed.stdout + pushed.stderr
    assert "minio:***@127.0.0.1" in shown, shown
    assert "s3cr3tPass" not in shown and "wJalrXUtnFEMIsecretKEY" not in shown, shown
    # An endpoint trail cannot use is refused without showing its password either.
    bad = env_with(**{**{k: env[k] for k in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY")},
                      "AWS_ENDPOINT_URL": "ftp://minio:s3cr3tPass@host/", "AWS_CONFIG_FILE": "/dev/null",
                      "AWS_SHARED_CREDENTIALS_FILE": "/dev/null"})
    refused = trail("remote", "add", "two", "s3://bucket/y", cwd=project, env=bad, check=False)
    assert refused.returncode == 1 and "ftp://minio:***@host/" in refused.stderr, refused.stderr
    assert "s3cr3tPass" not in refused.stderr


def test_credentials_in_an_s3_url_are_refused_and_never_echoed(project):
    added = trail("remote", "add", "origin", "s3://AKIDEXAMPLE:wJalrXUtnFEMI@bucket/x", cwd=project, check=False)
    assert added.returncode == 1
    assert "credentials do not belong in an s3:// URL" in added.stderr, added.stderr
    assert "wJalrXUtnFEMI" not in added.stderr
    assert "origin" not in trail("remote", "ls", cwd=project).stdout


def test_a_token_in_the_git_remote_url_is_not_shown(project, tmp_path):
    git("remote", "add", "origin", f"http://bo:ghp_T0KEN@127.0.0.1:{_closed_port()}/r.git", cwd=project)
    trail("run", "--", *py("pass"), cwd=project)
    pushed = trail("push", cwd=project, check=False)
    assert "ghp_T0KEN" not in pushed.stdout + pushed.stderr, pushed.stderr
    assert "git push origin" in pushed.stderr

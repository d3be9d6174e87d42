"""A team's Git server over SSH (docs/teams.md): five clones push their runs concurrently through
`ssh://USER@127.0.0.1:PORT/path`, as a team with a plain Git server does.

The test starts Debian's sshd itself, as a foreground process on a free loopback port, with a
throwaway host key and user key in a temp folder: no system service, nothing outside tmp_path
but /run/sshd (the privilege separation folder sshd insists on). trail's network operations go
through the git CLI, so the user's SSH settings reach ssh as they would for `git push`: some
clones name the key in `core.sshCommand`, the others in `GIT_SSH_COMMAND` given to trail.
Skipped (with the reason) where sshd is not installed or cannot start.
"""
import getpass
import os
import shutil
import socket
import subprocess
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
import yaml

from conftest import env_with, git, init_project, ls_ids, make_git_repo, trail
from test_share_runs import assert_remote_complete, records

SSHD = "/usr/sbin/sshd"
RUNS_PER_CLONE = 2


def free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def ssh_server(tmp_path_factory):
    """(ssh command with the user's key and known hosts, ssh:// URL prefix, bare repos' folder)."""
    if not os.path.exists(SSHD) or not shutil.which("ssh") or not shutil.which("ssh-keygen"):
        pytest.skip("sshd, ssh or ssh-keygen missing (scripts/setup.sh installs openssh-server and openssh-client)")
    if os.geteuid() != 0:
        pytest.skip("sshd with a throwaway config needs root here (to log in as this user without PAM)")
    d = tmp_path_factory.mktemp("sshd")
    for key in ("host_key", "user_key"):
        subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", str(d / key)], check=True)
    (d / "authorized_keys").write_text((d / "user_key.pub").read_text())
    port = free_port()
    config = d / "sshd_config"
    config.write_text("\n".join([
        f"Port {port}", "ListenAddress 127.0.0.1", f"HostKey {d / 'host_key'}", f"PidFile {d / 'sshd.pid'}",
        f"AuthorizedKeysFile {d / 'authorized_keys'}", "StrictModes no", "PasswordAuthentication no",
        "KbdInteractiveAuthentication no", "UsePAM no", "PermitRootLogin prohibit-password",
        "MaxStartups 100:30:200", "MaxSessions 100", "LogLevel ERROR", ""]))
    os.makedirs("/run/sshd", mode=0o755, exist_ok=True)
    log = open(d / "sshd.log", "wb")
    proc = subprocess.Popen([SSHD, "-D", "-e", "-f", str(config)], stdout=log, stderr=subprocess.STDOUT)
    known_hosts = d / "known_hosts"
    known_hosts.write_text(f"[127.0.0.1]:{port} " + (d / "host_key.pub").read_text())
    ssh = f"ssh -i {d / 'user_key'} -o UserKnownHostsFile={known_hosts} -o StrictHostKeyChecking=yes -o BatchMode=yes"
    deadline = time.time() + 10
    while True:
        probe = subprocess.run(ssh.split() + ["-p", str(port), f"{getpass.getuser()}@127.0.0.1", "true"],
                               capture_output=True, text=True)
        if probe.returncode == 0:
            break
        if proc.poll() is not None or time.time() > deadline:
            proc.kill()
            proc.wait()
            log.close()
            pytest.skip(f"sshd did not start: {(d / 'sshd.log').read_text()[-500:]} {probe.stderr[-300:]}")
        time.sleep(0.1)
    server = d / "srv"
    server.mkdir()
    yield ssh, f"ssh://{getpass.getuser()}@127.0.0.1:{port}", server
    proc.terminate()
    proc.wait(timeout=10)
    log.close()


def test_five_clones_push_concurrently_over_ssh_and_lose_nothing(tmp_path, ssh_server):
    ssh, url_prefix, server = ssh_server
    bare = server / "team.git"
    git("init", "-q", "--bare", "-b", "main", str(bare), cwd=tmp_path)
    url = f"{url_prefix}{bare}"
    # Without the key ssh cannot log in: trail must be using the settings given below.
    first = make_git_repo(tmp_path / "c0")
    init_project(first, "p")
    git("remote", "add", "origin", url, cwd=first)
    git("config", "core.sshCommand", ssh, cwd=first)
    git("push", "-q", "origin", "main", cwd=first)
    clones = [first]
    envs = {first: None}
    for i in range(1, 5):
        path = tmp_path / f"c{i}"
        git("clone", "-q", url, str(path), cwd=tmp_path, env=env_with(GIT_SSH_COMMAND=ssh))
        git("config", "user.name", f"User {i}", cwd=path)
        git("config", "user.email", f"u{i}@example.org", cwd=path)
        # Half the clones name the key in their Git config, the others in the environment.
        if i % 2 == 0:
            git("config", "core.sshCommand", ssh, cwd=path)
            envs[path] = None
        else:
            envs[path] = env_with(GIT_SSH_COMMAND=ssh)
        clones.append(path)
    # Every clone records offline: all five own p-1..p-3, each with its own metric values.
    written = {}  # uid -> (clone, metric value)
    for i, repo in enumerate(clones):
        for k in range(RUNS_PER_CLONE):
            value = i * 10 + k
            trail("run", "--", "sh", "-c", f'echo \'{{"score": {value}}}\' >> "$TRAIL_METRICS"', cwd=repo)
        for uid, (_, text) in records(repo).items():
            written.setdefault(uid, (repo, yaml.safe_load(text)["metrics"]["summary"]["score"]["last"]))
    assert len(written) == 5 * RUNS_PER_CLONE

    def push(repo):
        return trail("push", cwd=repo, env=envs[repo], check=False, timeout=120)

    with ThreadPoolExecutor(len(clones)) as pool:
        pushed = list(pool.map(push, clones))
    for repo, p in zip(clones, pushed):
        assert p.returncode == 0, f"{repo.name}: {p.stdout}\n{p.stderr}"
        assert "pushed runs branch and refs/trail/* to Git remote origin" in p.stdout, p.stdout

    # Every run of every clone is on the server, once, with its data; numbers unique, 1..15.
    on_remote = assert_remote_complete(bare, written)
    numbers = sorted(int(run_id.split("-")[1]) for run_id, _ in on_remote.values())
    assert numbers == list(range(1, 5 * RUNS_PER_CLONE + 1))
    for uid, (run_id, text) in on_remote.items():
        assert yaml.safe_load(text)["metrics"]["summary"]["score"]["last"] == written[uid][1], run_id
    # A pull in each clone sees all of them.
    for repo in clones:
        pulled = trail("pull", cwd=repo, env=envs[repo])
        assert "fetched runs branch" in pulled.stdout, pulled.stdout
        assert records(repo) == on_remote
        assert sorted(ls_ids(repo)) == sorted(run_id for run_id, _ in on_remote.values())


def test_push_without_the_users_ssh_settings_fails_with_one_clear_line(tmp_path, ssh_server):
    ssh, url_prefix, server = ssh_server
    bare = server / "locked.git"
    git("init", "-q", "--bare", "-b", "main", str(bare), cwd=tmp_path)
    repo = make_git_repo(tmp_path / "r")
    init_project(repo, "p")
    git("remote", "add", "origin", f"{url_prefix}{bare}", cwd=repo)
    trail("run", "--", "true", cwd=repo)
    # No key, no known host: ssh refuses, and trail says so without hanging on a prompt.
    env = env_with(GIT_SSH_COMMAND="ssh -o BatchMode=yes -o StrictHostKeyChecking=yes "
                                   f"-o UserKnownHostsFile={tmp_path / 'none'}")
    p = trail("push", cwd=repo, env=env, check=False, timeout=60)
    assert p.returncode != 0
    assert "git fetch" in p.stderr and "origin" in p.stderr, p.stderr
    assert git("for-each-ref", "refs/heads/trail", cwd=bare) == ""

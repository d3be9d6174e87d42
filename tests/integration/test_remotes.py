"""Object store remotes: trail remote / push / fetch / pull against a folder and a real S3 server.

Two clones of one project share a bare Git repository (for the runs branch and pointers) and a
store remote (for the packs). S3 tests start s3rver like src/remote/s3_test_server.h does and
check interoperability with Debian's AWS CLI (/usr/bin/aws).
"""
import json
import os
import signal
import socket
import subprocess
import time
from pathlib import Path

import pytest

from conftest import REPO_ROOT, env_with, git, init_project, make_git_repo, py, sha256_file, trail, trail_popen

MiB = 1 << 20


# ----------------------------------------------------------------------------------------------
# Helpers.


def store_dir(repo):
    return Path(repo) / ".git" / "trail" / "store"


def local_packs(repo):
    """Pack id -> path of every visible pack (one with its .idx) in a clone's store."""
    store = store_dir(repo)
    ids = [p.name[:-4] for p in (store / "index").glob("*.idx")]
    return {i: store / "packs" / i[:2] / (i + ".pack") for i in ids}


def remote_idx_ids(folder):
    return sorted(p.name[:-4] for p in (Path(folder) / "index").glob("*.idx"))


def write_random(path, size, seed):
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "wb") as f:
        f.write(os.urandom(size) if seed is None else _seeded(size, seed))
    return path


def _seeded(size, seed):
    import random
    return random.Random(seed).randbytes(size)


def make_origin(tmp_path, with_data=True, env=None):
    """Repo A with tracked data and one run, pushed to a bare Git repository; returns (A, bare)."""
    bare = tmp_path / "origin.git"
    git("init", "-q", "--bare", "-b", "main", str(bare), cwd=tmp_path)
    a = make_git_repo(tmp_path / "a")
    init_project(a, "p")
    git("remote", "add", "origin", str(bare), cwd=a)
    if with_data:
        write_random(a / "data" / "big.bin", 20 * MiB, seed=1)
        for i in range(5):
            write_random(a / "data" / "images" / f"img{i}.png", 10000 + i, seed=100 + i)
        trail("add", "data/big.bin", "data/images", cwd=a, env=env, timeout=120)
        git("add", "-A", cwd=a)
        git("commit", "-q", "-m", "track data", cwd=a)
    trail("run", "--", *py("print('loss=0.5')"), cwd=a, env=env)
    git("push", "-q", "origin", "main", cwd=a)
    return a, bare


def clone(bare, path):
    git("clone", "-q", str(bare), str(path), cwd=Path(path).parent)
    git("config", "user.name", "Bo Chen", cwd=path)
    git("config", "user.email", "bo@example.org", cwd=path)
    return Path(path)


def tree_digests(root, rel):
    root = Path(root) / rel
    if root.is_file():
        return {rel: sha256_file(root)}
    return {str(p.relative_to(root)): sha256_file(p) for p in sorted(root.rglob("*")) if p.is_file()}


def assert_same_data(a, b):
    for rel in ("data/big.bin", "data/images"):
        assert tree_digests(b, rel) == tree_digests(a, rel), rel


# ----------------------------------------------------------------------------------------------
# trail remote.


def test_remote_add_ls_rm(project, tmp_path):
    r1, r2 = tmp_path / "r1", tmp_path / "r2"
    trail("remote", "add", "origin", str(r1), cwd=project)
    trail("remote", "add", "backup", "file://" + str(r2), cwd=project)
    out = trail("remote", "ls", cwd=project).stdout
    assert out == f"backup\tfile://{r2}\norigin\t{r1}\n"
    # Duplicates are refused unless --force.
    dup = trail("remote", "add", "origin", str(r2), cwd=project, check=False)
    assert dup.returncode == 1 and "already exists" in dup.stderr
    trail("remote", "add", "--force", "origin", str(r2), cwd=project)
    assert f"origin\t{r2}\n" in trail("remote", "ls", cwd=project).stdout
    # Bad URLs and names are refused by the backend layer's own checks.
    bad = trail("remote", "add", "x", "ftp://host/path", cwd=project, check=False)
    assert bad.returncode == 1 and "not supported" in bad.stderr
    bad = trail("remote", "add", "bad name", str(r1), cwd=project, check=False)
    assert bad.returncode == 1 and "bad remote name" in bad.stderr
    # A relative folder is stored absolute.
    trail("remote", "add", "rel", "../r3", cwd=project)
    assert f"rel\t{project.parent / 'r3'}\n" in trail("remote", "ls", cwd=project).stdout
    trail("remote", "rm", "rel", cwd=project)
    trail("remote", "rm", "backup", cwd=project)
    assert trail("remote", "ls", cwd=project).stdout == f"origin\t{r2}\n"
    missing = trail("remote", "rm", "nope", cwd=project, check=False)
    assert missing.returncode == 1 and "no remote named nope" in missing.stderr
    # Per clone, not committed: it lives in the Git dir.
    assert (project / ".git" / "trail" / "remotes.yaml").exists()


def test_concurrent_remote_adds_all_land(project, tmp_path):
    # Twelve `trail remote add`s at once: each reads, edits and rewrites remotes.yaml under a
    # lock, so none is lost to another's rewrite.
    procs = [trail_popen("remote", "add", f"r{i}", str(tmp_path / f"r{i}"), cwd=project) for i in range(12)]
    for p in procs:
        _, err = p.communicate(timeout=60)
        assert p.returncode == 0, err
    names = [line.split("\t")[0] for line in trail("remote", "ls", cwd=project).stdout.splitlines()]
    assert sorted(names) == sorted(f"r{i}" for i in range(12))


def test_default_remote_needs_origin_when_there_are_several(project, tmp_path):
    none = trail("push", cwd=project, check=False)
    assert none.returncode == 1 and "no remote configured" in none.stderr
    trail("remote", "add", "one", str(tmp_path / "r1"), cwd=project)
    trail("remote", "add", "two", str(tmp_path / "r2"), cwd=project)
    several = trail("push", "--no-git", cwd=project, check=False)
    assert several.returncode == 1 and "--remote" in several.stderr
    trail("push", "--no-git", "--remote", "two", cwd=project)
    unknown = trail("push", "--remote", "three", cwd=project, check=False)
    assert unknown.returncode == 1 and "no remote named three" in unknown.stderr


def test_remote_default_and_names_as_git_and_dvc_spell_them(project, tmp_path):
    # `trail push NAME`, `-r NAME`, `trail remote default NAME` (issue 19).
    trail("remote", "add", "one", str(tmp_path / "r1"), cwd=project)
    trail("remote", "add", "two", str(tmp_path / "r2"), cwd=project)
    remotes_yaml = project / ".git" / "trail" / "remotes.yaml"
    before = remotes_yaml.read_bytes()
    unknown = trail("remote", "default", "three", cwd=project, check=False)
    assert unknown.returncode == 1 and "no remote named three" in unknown.stderr
    assert remotes_yaml.read_bytes() == before  # nothing written
    assert trail("remote", "default", "two", cwd=project).stdout == "default remote: two\n"
    assert trail("remote", "list", cwd=project).stdout == \
        f"one\t{tmp_path / 'r1'}\ntwo\t{tmp_path / 'r2'}\t(default)\n"
    # Without a name: the default, though there are several and none is origin.
    pushed = trail("push", "--no-git", cwd=project)
    assert f"{tmp_path / 'r2'} and this store" in pushed.stdout, pushed.stdout
    assert f"{tmp_path / 'r1'} and this store" in trail("push", "--no-git", "one", cwd=project).stdout
    assert f"{tmp_path / 'r1'} and this store" in trail("push", "--no-git", "-r", "one", cwd=project).stdout
    assert f"{tmp_path / 'r1'} and this store" in trail("fetch", "--no-git", "one", cwd=project).stdout
    assert f"{tmp_path / 'r1'} and this store" in trail("pull", "--no-git", "one", cwd=project).stdout
    both = trail("push", "--no-git", "one", "-r", "two", cwd=project, check=False)
    assert both.returncode == 1 and "two remotes named" in both.stderr
    bad = trail("push", "three", cwd=project, check=False)
    assert bad.returncode == 1 and "no remote named three" in bad.stderr
    # Removing the default leaves none: two remotes, none origin, so a name is needed again.
    trail("remote", "rm", "two", cwd=project)
    trail("remote", "add", "two", str(tmp_path / "r2"), cwd=project)
    several = trail("push", "--no-git", cwd=project, check=False)
    assert several.returncode == 1 and "trail remote default" in several.stderr


def test_remote_modify_settings(project, tmp_path):
    trail("remote", "add", "folder", str(tmp_path / "r1"), cwd=project)
    trail("remote", "add", "cloud", "s3://bucket/team", cwd=project,
          env=env_with(AWS_ACCESS_KEY_ID="k", AWS_SECRET_ACCESS_KEY="s"))
    remotes_yaml = project / ".git" / "trail" / "remotes.yaml"
    env = env_with(AWS_ACCESS_KEY_ID="k", AWS_SECRET_ACCESS_KEY="s", AWS_PROFILE=None,
                   AWS_CONFIG_FILE="/dev/null", AWS_SHARED_CREDENTIALS_FILE="/dev/null")
    out = trail("remote", "modify", "cloud", "endpoint", "http://127.0.0.1:9000", cwd=project, env=env).stdout
    assert out == "remote cloud: endpoint = http://127.0.0.1:9000\n"
    trail("remote", "modify", "cloud", "region", "eu-west-1", cwd=project, env=env)
    listed = trail("remote", "ls", cwd=project).stdout
    assert "cloud\ts3://bucket/team\tendpoint=http://127.0.0.1:9000\tregion=eu-west-1\n" in listed, listed
    as_json = json.loads(trail("remote", "ls", "--format", "json", cwd=project).stdout)
    assert as_json[0] == {"name": "cloud", "url": "s3://bucket/team", "default": False,
                          "settings": {"endpoint": "http://127.0.0.1:9000", "region": "eu-west-1"}}
    assert "region: eu-west-1" in remotes_yaml.read_text()
    before = remotes_yaml.read_bytes()
    for args, message in [
        (["cloud", "colour", "blue"], 'unknown remote setting "colour"'),
        (["nope", "region", "x"], "no remote named nope"),
        (["cloud", "endpoint", "ftp://host"], "bad endpoint"),
        (["cloud", "endpoint", "http://key:secret@host"], "credentials do not belong"),
        (["cloud", "region", "eu west"], "bad region"),
        (["folder", "region", "eu-west-1"], "is a folder"),
        (["cloud", "region"], "usage: trail remote modify NAME KEY VALUE"),
    ]:
        proc = trail("remote", "modify", *args, cwd=project, env=env, check=False)
        assert proc.returncode != 0 and message in proc.stderr, (args, proc.stderr)
        assert len(proc.stderr.strip().splitlines()) == 1, proc.stderr
        assert "secret" not in proc.stderr, proc.stderr
    assert remotes_yaml.read_bytes() == before  # nothing written by any of them
    trail("remote", "modify", "--unset", "cloud", "region", cwd=project, env=env)
    assert "region" not in remotes_yaml.read_text()


# ----------------------------------------------------------------------------------------------
# A folder remote.


def test_folder_push_pull_round_trip(tmp_path):
    a, bare = make_origin(tmp_path)
    remote = tmp_path / "store-remote"
    trail("remote", "add", "origin", str(remote), cwd=a)
    pushed = trail("push", cwd=a, timeout=120)
    n = len(local_packs(a))
    assert n >= 1
    assert f"pushed {n} pack" in pushed.stdout and f"to {remote}" in pushed.stdout, pushed.stdout
    assert "0 already there" in pushed.stdout
    assert "pushed runs branch and refs/trail/* to Git remote origin" in pushed.stdout
    assert pushed.stderr == ""  # no progress bar when stderr is not a terminal
    assert remote_idx_ids(remote) == sorted(local_packs(a))
    for pack_id, path in local_packs(a).items():
        assert (remote / "packs" / pack_id[:2] / (pack_id + ".pack")).read_bytes() == path.read_bytes()
    # The runs branch and the run's code ref went to the Git remote.
    assert git("rev-parse", "refs/heads/trail", cwd=bare) == git("rev-parse", "refs/heads/trail", cwd=a)
    assert git("for-each-ref", "refs/trail", cwd=bare) == git("for-each-ref", "refs/trail", cwd=a) != ""

    again = trail("push", cwd=a)
    assert again.stdout.startswith(f"nothing to push: {remote} and this store both have all {n} pack"), again.stdout

    b = clone(bare, tmp_path / "b")
    assert not (b / "data" / "big.bin").exists()
    trail("remote", "add", "origin", str(remote), cwd=b)
    pulled = trail("pull", cwd=b, timeout=120)
    assert f"fetched {n} pack" in pulled.stdout, pulled.stdout
    assert "restored data/big.bin" in pulled.stdout and "restored data/images" in pulled.stdout
    assert "2 restored, 0 already up to date" in pulled.stdout
    assert_same_data(a, b)
    assert sorted(local_packs(b)) == sorted(local_packs(a))
    # The runs came along: B lists A's run.
    assert git("rev-parse", "refs/heads/trail", cwd=b) == git("rev-parse", "refs/heads/trail", cwd=a)
    assert "p-1" in trail("ls", cwd=b).stdout
    # Nothing left to do either way.
    assert "nothing to fetch" in trail("pull", cwd=b).stdout
    assert "nothing to push" in trail("push", cwd=b).stdout


def test_pull_restores_only_the_named_paths(tmp_path):
    a, bare = make_origin(tmp_path)
    remote = tmp_path / "store-remote"
    trail("remote", "add", "origin", str(remote), cwd=a)
    trail("push", "--no-git", cwd=a)
    b = clone(bare, tmp_path / "b")
    trail("remote", "add", "origin", str(remote), cwd=b)
    pulled = json.loads(trail("pull", "--no-git", "data/images", "--format", "json", cwd=b).stdout)
    assert pulled["remote"] == "origin" and pulled["where"] == str(remote) and pulled["packs_moved"] >= 1
    assert pulled["checkout"] == {"restored": ["data/images"], "up_to_date": 0, "problems": []}
    assert not (b / "data" / "big.bin").exists()
    assert tree_digests(b, "data/images") == tree_digests(a, "data/images")
    # --no-git left the runs branch alone.
    assert not git("branch", "--list", "trail", cwd=b)


def test_interrupted_push_resumes(tmp_path):
    a, bare = make_origin(tmp_path)
    remote = tmp_path / "store-remote"
    trail("remote", "add", "origin", str(remote), cwd=a)
    trail("push", "--no-git", cwd=a)
    ids = remote_idx_ids(remote)
    # As if the push had died after uploading a pack but before its .idx, and before another
    # pack at all.
    (remote / "index" / (ids[0] + ".idx")).unlink()
    if len(ids) > 1:
        (remote / "index" / (ids[1] + ".idx")).unlink()
        (remote / "packs" / ids[1][:2] / (ids[1] + ".pack")).unlink()
    resumed = trail("push", "--no-git", cwd=a)
    moved = min(len(ids), 2)
    assert f"pushed {moved} pack" in resumed.stdout and f"{len(ids) - moved} already there" in resumed.stdout
    assert remote_idx_ids(remote) == ids
    b = clone(bare, tmp_path / "b")
    trail("remote", "add", "origin", str(remote), cwd=b)
    trail("pull", "--no-git", cwd=b)
    assert_same_data(a, b)


def test_push_killed_midway_resumes(tmp_path):
    a, bare = make_origin(tmp_path, with_data=False)
    # Several packs (each up to 64 MiB), so the kill lands while some are moving.
    write_random(a / "big" / "model.bin", 200 * MiB, seed=None)
    trail("add", "big/model.bin", cwd=a, timeout=300)
    git("add", "-A", cwd=a)
    git("commit", "-q", "-m", "model", cwd=a)
    git("push", "-q", "origin", "main", cwd=a)
    remote = tmp_path / "store-remote"
    trail("remote", "add", "origin", str(remote), cwd=a)
    proc = trail_popen("push", "--no-git", "--jobs", "2", cwd=a)
    time.sleep(0.3)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    # Whatever the moment, every pack the remote shows is complete...
    for pack_id in remote_idx_ids(remote):
        path = remote / "packs" / pack_id[:2] / (pack_id + ".pack")
        assert path.read_bytes() == local_packs(a)[pack_id].read_bytes()
    # ...and running it again finishes the job.
    resumed = trail("push", "--no-git", cwd=a, timeout=120)
    assert "pushed" in resumed.stdout or "nothing to push" in resumed.stdout
    assert remote_idx_ids(remote) == sorted(local_packs(a))
    b = clone(bare, tmp_path / "b")
    trail("remote", "add", "origin", str(remote), cwd=b)
    trail("pull", "--no-git", cwd=b, timeout=120)
    assert sha256_file(b / "big" / "model.bin") == sha256_file(a / "big" / "model.bin")


def test_corrupt_remote_pack_is_refused_and_never_visible(tmp_path):
    a, bare = make_origin(tmp_path)
    remote = tmp_path / "store-remote"
    trail("remote", "add", "origin", str(remote), cwd=a)
    trail("push", "--no-git", cwd=a)
    # Flip one byte in the middle of the biggest pack.
    packs = sorted((remote / "packs").rglob("*.pack"), key=lambda p: p.stat().st_size)
    victim = packs[-1]
    victim_id = victim.name[:-5]
    data = bytearray(victim.read_bytes())
    data[len(data) // 2] ^= 0xFF
    victim.write_bytes(bytes(data))

    b = clone(bare, tmp_path / "b")
    trail("remote", "add", "origin", str(remote), cwd=b)
    fetched = trail("fetch", "--no-git", cwd=b, check=False)
    assert fetched.returncode == 1
    assert victim_id in fetched.stderr and "corrupt" in fetched.stderr, fetched.stderr
    store = store_dir(b)
    assert not (store / "index" / (victim_id + ".idx")).exists()
    assert not (store / "packs" / victim_id[:2] / (victim_id + ".pack")).exists()
    assert [p.name for p in (store / "packs").rglob("*") if ".tmp" in p.name] == []
    # The data in the corrupt pack cannot be checked out; trail says it is not stored.
    pulled = trail("pull", "--no-git", cwd=b, check=False)
    assert pulled.returncode == 1 and victim_id in pulled.stderr


def test_git_remote_missing_is_a_warning_not_a_failure(project, tmp_path):
    (project / "w.bin").write_bytes(b"x" * 1000)
    trail("add", "w.bin", cwd=project)
    trail("remote", "add", "store", str(tmp_path / "r"), cwd=project)
    pushed = trail("push", cwd=project)
    assert "pushed 1 pack" in pushed.stdout
    assert "no Git remote named store or origin" in pushed.stdout
    # A Git remote that cannot be reached: the store push still succeeds, with a warning.
    git("remote", "add", "origin", str(tmp_path / "nowhere.git"), cwd=project)
    trail("run", "--", *py("pass"), cwd=project)
    pushed = trail("push", cwd=project)
    assert pushed.returncode == 0 and ("nothing to push" in pushed.stdout or "pushed" in pushed.stdout)
    assert "trail: warning: git push origin" in pushed.stderr and "failed" in pushed.stderr


# ----------------------------------------------------------------------------------------------
# S3, through a real s3rver; interoperable with the AWS CLI.

BUCKET = "trail-test"


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def s3(tmp_path):
    """A running s3rver with one bucket; yields the environment trail and aws need."""
    s3rver = os.environ.get("TRAIL_S3RVER") or str(REPO_ROOT / "tools" / "s3rver" / "node_modules" / ".bin" / "s3rver")
    if not os.access(s3rver, os.X_OK):
        pytest.fail(f"s3rver not found at {s3rver}: run scripts/setup.sh (npm ci in tools/s3rver) or set TRAIL_S3RVER")
    data = tmp_path / "s3rver-data"
    data.mkdir()
    port = _free_port()
    env = dict(os.environ)
    # s3rver's ListObjectsV2 continuation tokens use DES: OpenSSL 3 needs its legacy provider.
    env["NODE_OPTIONS"] = ("--openssl-legacy-provider " + env.get("NODE_OPTIONS", "")).strip()
    log = open(tmp_path / "s3rver.log", "wb")
    proc = subprocess.Popen([s3rver, "--directory", str(data), "--port", str(port), "--address", "127.0.0.1",
                             "--silent", "--configure-bucket", BUCKET],
                            stdout=log, stderr=subprocess.STDOUT, env=env, start_new_session=True)
    try:
        deadline = time.monotonic() + 20
        while True:
            if proc.poll() is not None:
                pytest.fail("s3rver exited at startup: " + (tmp_path / "s3rver.log").read_text())
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                if time.monotonic() > deadline:
                    pytest.fail("s3rver did not accept connections within 20 s")
                time.sleep(0.05)
        endpoint = f"http://127.0.0.1:{port}"
        yield {"endpoint": endpoint,
               "env": env_with(AWS_ACCESS_KEY_ID="S3RVER", AWS_SECRET_ACCESS_KEY="S3RVER",
                               AWS_ENDPOINT_URL=endpoint, AWS_REGION="us-east-1",
                               AWS_DEFAULT_REGION="us-east-1", AWS_PROFILE=None, AWS_SESSION_TOKEN=None,
                               AWS_CONFIG_FILE="/dev/null", AWS_SHARED_CREDENTIALS_FILE="/dev/null")}
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        log.close()


def aws(s3, *args, check=True):
    if not os.access("/usr/bin/aws", os.X_OK):
        pytest.fail("/usr/bin/aws is missing: apt install awscli (the interop test needs Debian's AWS CLI)")
    env = dict(s3["env"])
    env.pop("AWS_ENDPOINT_URL", None)  # Debian's CLI is told with --endpoint-url
    proc = subprocess.run(["/usr/bin/aws", "--endpoint-url", s3["endpoint"], *args], capture_output=True,
                          text=True, env=env, timeout=120)
    if check and proc.returncode != 0:
        raise AssertionError(f"aws {' '.join(args)} exited {proc.returncode}: {proc.stderr}")
    return proc.stdout


def test_s3_push_pull_and_aws_cli_interop(tmp_path, s3):
    env = s3["env"]
    url = f"s3://{BUCKET}/team/store"
    a, bare = make_origin(tmp_path, env=env)
    trail("remote", "add", "origin", url, cwd=a, env=env)
    pushed = trail("push", cwd=a, env=env, timeout=120)
    n = len(local_packs(a))
    assert f"pushed {n} pack" in pushed.stdout and f"to {url}" in pushed.stdout, pushed.stdout
    assert "nothing to push" in trail("push", "--no-git", cwd=a, env=env).stdout

    # The AWS CLI sees exactly the store's layout, and the bytes are the local pack's.
    listing = aws(s3, "s3", "ls", "--recursive", f"s3://{BUCKET}/team/store/")
    for pack_id, path in local_packs(a).items():
        assert f"team/store/packs/{pack_id[:2]}/{pack_id}.pack" in listing, listing
        assert f"team/store/index/{pack_id}.idx" in listing, listing
    pack_id, path = sorted(local_packs(a).items(), key=lambda kv: kv[1].stat().st_size)[-1]
    copy = tmp_path / "copied.pack"
    aws(s3, "s3", "cp", f"s3://{BUCKET}/team/store/packs/{pack_id[:2]}/{pack_id}.pack", str(copy))
    assert copy.read_bytes() == path.read_bytes()

    b = clone(bare, tmp_path / "b")
    trail("remote", "add", "origin", url, cwd=b, env=env)
    pulled = trail("pull", cwd=b, env=env, timeout=120)
    assert f"fetched {n} pack" in pulled.stdout, pulled.stdout
    assert_same_data(a, b)
    assert "p-1" in trail("ls", cwd=b, env=env).stdout

    # The reverse: packs another store wrote, uploaded by the AWS CLI, are fetched and verified.
    c = make_git_repo(tmp_path / "c")
    init_project(c, "p")
    write_random(c / "other.bin", 3 * MiB, seed=7)
    trail("add", "other.bin", cwd=c, env=env)
    new_ids = set(local_packs(c)) - set(local_packs(b))
    assert new_ids
    for pack_id in new_ids:
        aws(s3, "s3", "cp", str(local_packs(c)[pack_id]), f"s3://{BUCKET}/team/store/packs/{pack_id[:2]}/{pack_id}.pack")
        aws(s3, "s3", "cp", str(store_dir(c) / "index" / (pack_id + ".idx")), f"s3://{BUCKET}/team/store/index/{pack_id}.idx")
    fetched = trail("fetch", "--no-git", cwd=b, env=env)
    assert f"fetched {len(new_ids)} pack" in fetched.stdout, fetched.stdout
    for pack_id in new_ids:
        assert local_packs(b)[pack_id].read_bytes() == local_packs(c)[pack_id].read_bytes()
        assert (store_dir(b) / "index" / (pack_id + ".idx")).read_bytes() == \
            (store_dir(c) / "index" / (pack_id + ".idx")).read_bytes()
    # And the content is usable: C's pointer checks out in B.
    (b / "other.bin.trail").write_bytes((c / "other.bin.trail").read_bytes())
    trail("checkout", "other.bin", cwd=b, env=env)
    assert sha256_file(b / "other.bin") == sha256_file(c / "other.bin")


def test_s3_remote_settings_win_over_the_environment(tmp_path, s3):
    # The endpoint and profile set on the remote beat a wrong AWS_ENDPOINT_URL and wrong static
    # keys in the environment (issue 19); with --format json the push is one JSON document.
    creds = tmp_path / "aws-credentials"
    creds.write_text("[minio]\naws_access_key_id = S3RVER\naws_secret_access_key = S3RVER\n")
    env = env_with(AWS_ACCESS_KEY_ID="WRONG", AWS_SECRET_ACCESS_KEY="WRONGSECRET",
                   AWS_ENDPOINT_URL=f"http://127.0.0.1:{_free_port()}", AWS_REGION="us-east-1",
                   AWS_PROFILE=None, AWS_SESSION_TOKEN=None, AWS_CONFIG_FILE="/dev/null",
                   AWS_SHARED_CREDENTIALS_FILE=str(creds))
    a, _ = make_origin(tmp_path, env=s3["env"])
    url = f"s3://{BUCKET}/settings"
    trail("remote", "add", "store", url, cwd=a, env=env)
    trail("remote", "modify", "store", "endpoint", s3["endpoint"], cwd=a, env=env)
    trail("remote", "modify", "store", "profile", "minio", cwd=a, env=env)
    pushed = trail("push", "--no-git", "store", "--format", "json", cwd=a, env=env, timeout=120)
    report = json.loads(pushed.stdout)
    assert report["remote"] == "store" and report["packs_moved"] == len(local_packs(a)) >= 1
    assert report["runs"] is None and report["runs_only"] is False
    assert "WRONGSECRET" not in pushed.stdout + pushed.stderr
    assert f"settings/index/" in aws(s3, "s3", "ls", "--recursive", f"s3://{BUCKET}/settings/")
    # Without the remote's profile, the environment's wrong keys are used and refused.
    trail("remote", "modify", "--unset", "store", "profile", cwd=a, env=env)
    refused = trail("push", "--no-git", "-r", "store", cwd=a, env=env, check=False, timeout=120)
    assert refused.returncode == 1 and "WRONGSECRET" not in refused.stderr


def test_s3_corrupt_pack_is_refused(tmp_path, s3):
    env = s3["env"]
    url = f"s3://{BUCKET}/x"
    a, bare = make_origin(tmp_path, env=env)
    trail("remote", "add", "origin", url, cwd=a, env=env)
    trail("push", "--no-git", cwd=a, env=env, timeout=120)
    pack_id, path = sorted(local_packs(a).items(), key=lambda kv: kv[1].stat().st_size)[-1]
    bad = bytearray(path.read_bytes())
    bad[100] ^= 0x01
    bad_file = tmp_path / "bad.pack"
    bad_file.write_bytes(bytes(bad))
    aws(s3, "s3", "cp", str(bad_file), f"s3://{BUCKET}/x/packs/{pack_id[:2]}/{pack_id}.pack")
    b = clone(bare, tmp_path / "b")
    trail("remote", "add", "origin", url, cwd=b, env=env)
    fetched = trail("fetch", "--no-git", cwd=b, env=env, check=False)
    assert fetched.returncode == 1 and pack_id in fetched.stderr, fetched.stderr
    assert pack_id not in local_packs(b)
    assert not (store_dir(b) / "packs" / pack_id[:2] / (pack_id + ".pack")).exists()


def test_no_runs_yet_is_not_a_git_warning(tmp_path):
    a, bare = tmp_path / "a", tmp_path / "origin.git"
    git("init", "-q", "--bare", "-b", "main", str(bare), cwd=tmp_path)
    make_git_repo(a)
    init_project(a, "p")
    write_random(a / "d.bin", 100000, seed=3)
    trail("add", "d.bin", cwd=a)
    git("add", "-A", cwd=a)
    git("commit", "-q", "-m", "data", cwd=a)
    git("remote", "add", "origin", str(bare), cwd=a)
    git("push", "-q", "origin", "main", cwd=a)
    trail("remote", "add", "origin", str(tmp_path / "r"), cwd=a)
    pushed = trail("push", cwd=a)
    assert "no runs yet: no Git refs to push" in pushed.stdout and pushed.stderr == ""
    b = clone(bare, tmp_path / "b")
    trail("remote", "add", "origin", str(tmp_path / "r"), cwd=b)
    pulled = trail("pull", cwd=b)
    assert "Git remote origin has no runs branch yet" in pulled.stdout and pulled.stderr == ""
    assert sha256_file(b / "d.bin") == sha256_file(a / "d.bin")

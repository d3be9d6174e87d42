"""A real single-node Slurm cluster for the tests (Debian's slurm-wlm and munge, no system service).

`slurm_cluster` (session-scoped) writes a munge key and a slurm.conf under a temporary folder,
starts munged (its socket there too; Slurm finds it through AuthInfo=socket=...), slurmctld -D and
slurmd -D with SLURM_CONF, waits for `sinfo` to show the node idle, and stops all three at the
end. The tests reach it through `cluster.env(...)`, which adds SLURM_CONF to the trail environment.
Partition `debug` (the default) runs a job per CPU (two at once); `shared` lets up to 16 jobs share
each CPU, for tests of many jobs at once.
Skips, with the reason, only where the daemons are missing or cannot start (e.g. not root).
"""
import os
import shutil
import signal
import socket
import subprocess
import time
from pathlib import Path

import pytest

from conftest import env_with


def _free_port_pair():
    """Two consecutive free ports on 127.0.0.1 (slurmctld's and slurmd's)."""
    for _ in range(50):
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        if port > 65000:
            continue
        try:
            with socket.socket() as a, socket.socket() as b:
                a.bind(("127.0.0.1", port))
                b.bind(("127.0.0.1", port + 1))
            return port, port + 1
        except OSError:
            continue
    raise RuntimeError("no free port pair on 127.0.0.1")


class SlurmCluster:
    def __init__(self, root, node):
        self.root = Path(root)
        self.node = node
        self.conf = self.root / "slurm.conf"
        self.procs = []

    def env(self, **extra):
        return env_with(SLURM_CONF=str(self.conf), **extra)

    def run(self, *args, check=True):
        return subprocess.run(list(args), env=self.env(), capture_output=True, text=True, check=check, timeout=30)

    def job(self, job_id):
        """scontrol show job's fields as a dict ({} once the controller forgot it)."""
        out = self.run("scontrol", "show", "job", "-o", str(job_id), check=False).stdout.strip()
        return dict(f.split("=", 1) for f in out.split() if "=" in f)

    def resume_node(self):
        self.run("scontrol", "update", f"nodename={self.node}", "state=resume", check=False)
        deadline = time.time() + 20
        while time.time() < deadline:
            if self.run("sinfo", "-h", "-o", "%T", check=False).stdout.strip() == "idle":
                return
            time.sleep(0.2)
        raise AssertionError("node did not come back idle: " + self.run("sinfo", check=False).stdout)


def _start(cmd, log, env):
    return subprocess.Popen(cmd, stdout=open(log, "w"), stderr=subprocess.STDOUT, env=env, start_new_session=True)


@pytest.fixture(scope="session")
def slurm_cluster(tmp_path_factory, _isolated_home):
    for tool in ("munged", "slurmctld", "slurmd", "sbatch", "scontrol", "sinfo"):
        if not shutil.which(tool) and not os.path.exists("/usr/sbin/" + tool):
            pytest.skip(f"Slurm test cluster: {tool} is not installed (scripts/setup.sh installs slurm-wlm, munge)")
    if os.geteuid() != 0:
        pytest.skip("Slurm test cluster: slurmd must run as root (SlurmdUser=root)")
    root = tmp_path_factory.mktemp("slurm")
    node = socket.gethostname().split(".")[0]
    for d in ("munge", "state", "spool", "log", "run"):
        (root / d).mkdir()
    (root / "munge").chmod(0o700)
    key = root / "munge" / "munge.key"
    key.write_bytes(os.urandom(1024))
    key.chmod(0o400)
    sock = root / "munge" / "munge.sock"
    ctld_port, d_port = _free_port_pair()
    (root / "slurm.conf").write_text(f"""ClusterName=trailtest
SlurmctldHost={node}(127.0.0.1)
SlurmctldPort={ctld_port}
SlurmdPort={d_port}
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket={sock}
StateSaveLocation={root}/state
SlurmdSpoolDir={root}/spool
SlurmctldPidFile={root}/run/slurmctld.pid
SlurmdPidFile={root}/run/slurmd.pid
SlurmctldLogFile={root}/log/slurmctld.log
SlurmdLogFile={root}/log/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
SchedulerType=sched/builtin
ReturnToService=2
MinJobAge=30
KillWait=5
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
MpiDefault=none
NodeName={node} NodeAddr=127.0.0.1 CPUs=2 State=UNKNOWN
PartitionName=debug Nodes={node} Default=YES MaxTime=INFINITE State=UP
PartitionName=shared Nodes={node} MaxTime=INFINITE State=UP OverSubscribe=FORCE:16
""")
    cluster = SlurmCluster(root, node)
    env = cluster.env()
    munged = shutil.which("munged") or "/usr/sbin/munged"
    started = subprocess.run([munged, f"--key-file={key}", f"--socket={sock}", f"--pid-file={root}/munge/munged.pid",
                              f"--log-file={root}/munge/munged.log", f"--seed-file={root}/munge/seed", "--force"],
                             capture_output=True, text=True, env=env)
    if started.returncode != 0:
        pytest.skip("Slurm test cluster: munged did not start: " + (started.stderr or started.stdout).strip())
    try:
        cluster.procs.append(_start(["slurmctld", "-D", "-f", str(cluster.conf)], root / "log" / "ctld.out", env))
        cluster.procs.append(_start(["slurmd", "-D", "-f", str(cluster.conf)], root / "log" / "slurmd.out", env))
        deadline = time.time() + 30
        state = ""
        while time.time() < deadline:
            if any(p.poll() is not None for p in cluster.procs):
                break
            state = cluster.run("sinfo", "-h", "-o", "%T", check=False).stdout.strip()
            if state == "idle":
                break
            time.sleep(0.2)
        if state != "idle":
            logs = "".join((root / "log" / f).read_text()[-400:] for f in ("ctld.out", "slurmd.out"))
            pytest.skip(f"Slurm test cluster: the node is not idle (sinfo: {state!r}): {logs}")
        yield cluster
    finally:
        for p in cluster.procs:
            if p.poll() is None:
                p.send_signal(signal.SIGTERM)
        for p in cluster.procs:
            try:
                p.wait(timeout=10)
            except subprocess.TimeoutExpired:
                p.kill()
        pid = root / "munge" / "munged.pid"
        if pid.exists():
            try:
                os.kill(int(pid.read_text().strip()), signal.SIGTERM)
            except (OSError, ValueError):
                pass

"""System metrics: `trail run` samples the run's process tree, the machine and its GPUs into
system/... series (docs/system-metrics.md). GPUs come from a fake libnvidia-ml.so.1 built here
from src/sysmon/testdata/fake_nvml.cc and opened through TRAIL_NVML_LIBRARY (tests only)."""
import json
import os
import shutil
import signal
import subprocess

import pytest

from conftest import (PYTHON, REPO_ROOT, branch_file, env_with, record, run_dir, trail, trail_popen, wait_for,
                      write_script)

# One process that holds 200 MiB and keeps a core busy for ~1.5 s, and reports a `system/threads`
# of its own (which must win over the sampler's) and the CPU time it used (`own_cpu_s`).
BURN = r"""
import json, os, time
hold = b"\x01" * (200 << 20)
with open(os.environ["TRAIL_METRICS"], "a") as f:
    f.write(json.dumps({"step": 0, "system/threads": 7}) + "\n")
end = time.time() + 1.5
n = 0
while time.time() < end:
    n += 1
with open(os.environ["TRAIL_METRICS"], "a") as f:
    f.write(json.dumps({"step": 0, "own_cpu_s": time.process_time()}) + "\n")
time.sleep(0.5)  # idle, so the samples after the burn add next to nothing
print(len(hold), n > 0)
"""


@pytest.fixture(scope="module")
def fake_nvml(tmp_path_factory):
    compiler = shutil.which("c++") or shutil.which("g++")
    if compiler is None:
        pytest.skip("no C++ compiler to build the fake NVML library")
    lib = tmp_path_factory.mktemp("nvml") / "libfake-nvml.so"
    subprocess.run([compiler, "-shared", "-fPIC", "-o", str(lib), str(REPO_ROOT / "src/sysmon/testdata/fake_nvml.cc")],
                   check=True)
    return str(lib)


def series(repo, run_id, key):
    rec = record(repo, run_id)
    text = branch_file(repo, f"{run_dir(run_id)}/{rec['metrics']['series'][key]}")
    rows = [line.split("\t") for line in text.splitlines()[1:]]
    return [(int(step), float(time), float(value)) for step, time, value in rows]


def test_a_run_gets_its_system_series(project, scripts, fake_nvml):
    script = write_script(scripts, "burn.py", BURN)
    env = env_with(TRAIL_NVML_LIBRARY=fake_nvml, CUDA_VISIBLE_DEVICES="1")
    trail("run", "--system-metrics-interval", "0.2", "--", PYTHON, script, cwd=project, env=env)
    rec = record(project, "p-1")
    summary, origin = rec["metrics"]["summary"], rec["metrics"]["origin"]
    assert summary["system/cpu_percent"]["count"] >= 4
    # 100 is one core busy, but a loaded machine gives the burner less: the samples must add up
    # to the CPU time the program itself measured (less its start, before the first baseline).
    cpu = series(project, "p-1", "system/cpu_percent")
    sampled_cpu_s = sum(c[2] / 100 * (c[1] - p[1] if p else 0.2) for p, c in zip([None] + cpu, cpu))
    own_cpu_s = summary["own_cpu_s"]["last"]
    assert 0.6 * own_cpu_s <= sampled_cpu_s <= 1.3 * own_cpu_s, (sampled_cpu_s, own_cpu_s, cpu)
    assert max(c[2] for c in cpu) <= 130
    assert summary["system/rss_bytes"]["max"] > 200 * 2**20
    for name in ("system/machine_cpu_percent", "system/machine_mem_used_bytes", "system/net_recv_bytes",
                 "system/net_sent_bytes"):
        assert name in summary and origin[name] == "system", name
    # The program's own system/threads is the program's: one point, its value, no origin.
    assert summary["system/threads"]["count"] == 1 and summary["system/threads"]["last"] == 7
    assert "system/threads" not in origin
    # Only the GPU the run may use (host GPU 1, its cuda:0): the fake reports 50% and 151 W there.
    assert summary["system/gpu0/utilization_percent"]["last"] == 50
    assert summary["system/gpu0/power_watts"]["last"] == 150
    assert summary["system/gpu0/temperature_c"]["last"] == 51
    assert summary["system/gpu0/memory_used_bytes"]["last"] == 2 * 2**30
    assert summary["system/gpu0/memory_total_bytes"]["last"] == 16 * 2**30
    assert not any(k.startswith("system/gpu1/") for k in summary)
    # Steps are the sample index, times the wall clock within the run.
    points = series(project, "p-1", "system/cpu_percent")
    assert [p[0] for p in points] == list(range(len(points)))
    times = [p[1] for p in points]
    assert times == sorted(times) and times[-1] - times[0] > 0.5
    show = trail("show", "p-1", cwd=project).stdout
    assert "system/cpu_percent" in show and "system/rss_bytes" in show


def test_off_by_flag_or_config_and_bad_intervals(project, scripts):
    script = write_script(scripts, "nap.py", "import time; time.sleep(0.6)\n")
    proc = trail("run", "--no-system-metrics", "--system-metrics-interval", "0.1", "--", PYTHON, script, cwd=project,
                 check=False)
    assert proc.returncode != 0 and "contradict" in proc.stderr  # and nothing recorded: the next run is p-1
    trail("run", "--no-system-metrics", "--", PYTHON, script, cwd=project)
    assert "metrics" not in record(project, "p-1")
    for bad in ("0", "-1", "nan", "100000", "fast"):
        proc = trail("run", "--system-metrics-interval", bad, "--", "true", cwd=project, check=False)
        assert proc.returncode != 0 and "--system-metrics-interval" in proc.stderr, (bad, proc.stderr)
        assert len(proc.stderr.strip().splitlines()) == 1
    config = project / ".trail" / "config.yaml"
    config.write_text(config.read_text() + "metrics:\n  system: off\n")
    trail("run", "--", PYTHON, script, cwd=project)
    assert "metrics" not in record(project, "p-2")
    config.write_text(config.read_text().replace("system: off", "system: 0.1"))
    trail("run", "--", PYTHON, script, cwd=project)
    assert record(project, "p-3")["metrics"]["summary"]["system/cpu_percent"]["count"] >= 3
    config.write_text(config.read_text().replace("system: 0.1", "system: sometimes"))
    proc = trail("run", "--", "true", cwd=project, check=False)
    assert proc.returncode != 0 and "metrics.system" in proc.stderr


def test_samples_survive_kill_9_of_the_recorder(project, scripts, tmp_path):
    done = tmp_path / "done"
    script = write_script(scripts, "slow.py", f"import time; time.sleep(1.5); open({str(done)!r}, 'w').close()\n")
    proc = trail_popen("run", "--system-metrics-interval", "0.1", "--", PYTHON, script, cwd=project)
    live = project / ".trail" / "live" / "p-1" / "system_metrics.jsonl"
    try:
        wait_for(lambda: live.exists() and live.read_text().count("\n") >= 3, timeout=10, what="samples")
        sampled = live.read_text().count("\n")
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=10)
    finally:
        if proc.poll() is None:
            proc.kill()
    wait_for(done.exists, timeout=10, what="the program to finish")
    wait_for(lambda: trail("ls", cwd=project).returncode == 0 and "p-1" in trail("ls", cwd=project).stdout,
             timeout=10, what="the run recovered")
    rec = record(project, "p-1")
    assert rec["status"] == "crashed"
    assert rec["metrics"]["summary"]["system/cpu_percent"]["count"] >= sampled

"""The runtime's liveness monitor as a Python run sees it (SEMANTICS.md #24: a process that dies without
finishing -> crashed once heartbeats stop). runtime/ingest/liveness.ts has three branches:

- the run's pid is on this host and gone: crashed at once;
- its pid cannot be checked (another host): crashed after CRASH_AFTER_SECONDS (30 s) without a heartbeat;
- its pid is alive (a hung client, or a reused pid): crashed after CRASH_AFTER_SECONDS_PID_ALIVE (120 s).

The runtime has no setting to shorten these, so the scripts here run on a clock set back by SHIFT seconds
(`time.time` patched before trackwell is imported): their records, heartbeats included, look SHIFT seconds
old, and a test waits only for the last few seconds of a timeout. No runtime is serving the data root, so
every `trackwell show` first ingests the journals and runs the liveness check itself (cli/context.ts).
"""
import json
import os
import signal
import subprocess
import sys
import time

from conftest import REPO, clean_env, prerequisite, python_path

CLI = os.path.join(REPO, "dist", "cli.js")
pytestmark = prerequisite(os.path.exists(CLI), "a built dist/cli.js (npm run build)")

CRASH_AFTER = 30       # liveness.ts CRASH_AFTER_SECONDS (HEARTBEAT_SECONDS * 6)
CRASH_AFTER_ALIVE = 120  # liveness.ts CRASH_AFTER_SECONDS_PID_ALIVE (HEARTBEAT_SECONDS * 24)

SCRIPT = """
import os, sys, time
SHIFT, HOST, END = float(sys.argv[1]), sys.argv[2], sys.argv[3]
_real = time.time
time.time = lambda: _real() - SHIFT        # every record (and heartbeat) looks SHIFT seconds old
import trackwell as tw
from trackwell import process
if HOST != "-":
    process._hostname = HOST               # recorded as running on another host: its pid cannot be checked
run = tw.init(project="p", mode="offline")
for i in range(5):
    run.log({"x": i})
run.step                                   # a barrier: all of it is in the journal
print(run.id, flush=True)
if END == "die":
    os._exit(1)                            # gone without finishing: no exit record
sys.stdin.readline()                       # alive until the test says (or stops it)
run.finish()
"""


def show(root, run_id):
    out = subprocess.run(["node", CLI, "--dir", root, "show", run_id, "--json"], capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout)


def start(tmp_path, shift, host="-", end="die"):
    script = tmp_path / "work" / "hb.py"
    script.parent.mkdir(exist_ok=True)
    script.write_text(SCRIPT)
    env = clean_env({"TRACKWELL_DIR": str(tmp_path / "root"), "PYTHONPATH": python_path(), "PYTHONUNBUFFERED": "1"})
    p = subprocess.Popen([sys.executable, str(script), str(shift), host, end], cwd=str(script.parent), env=env,
                         stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    run_id = p.stdout.readline().strip()
    assert run_id, p.stderr.read()
    return p, run_id


def wait_crashed(root, run_id, timeout):
    end = time.time() + timeout
    while True:
        st = show(root, run_id)
        if st["state"] != "running" or time.time() > end:
            return st, time.time()
        time.sleep(0.5)


def silent_seconds(message):
    # "no heartbeat for 31 s"
    assert message.startswith("no heartbeat for "), message
    return int(message.split()[3])


def test_dead_process_on_this_host_is_crashed_at_once(tmp_path):
    p, run_id = start(tmp_path, 0)
    p.wait(30)
    st = show(str(tmp_path / "root"), run_id)     # its heartbeat is fresh, but its pid is gone
    assert st["state"] == "crashed"
    assert st["error"]["type"] == "Crashed" and st["error"]["message"] == "its process exited without finishing the run"
    assert st["last_step"] == 4


def test_run_from_another_host_is_crashed_once_its_heartbeats_are_30_s_old(tmp_path):
    root = str(tmp_path / "root")
    shift = CRASH_AFTER - 8
    p, run_id = start(tmp_path, shift, host="elsewhere.invalid")
    p.wait(30)
    dead_at = time.time()
    # The process is gone, but the runtime cannot check a pid of another host: it waits for heartbeats.
    st = show(root, run_id)
    assert st["state"] == "running" and not st.get("error"), st
    assert st["host"] == "elsewhere.invalid"
    st, seen = wait_crashed(root, run_id, 30)
    assert st["state"] == "crashed" and st["error"]["type"] == "Crashed"
    assert silent_seconds(st["error"]["message"]) >= CRASH_AFTER
    assert seen >= dead_at + (CRASH_AFTER - shift) - 1   # not before the timeout ran out
    assert st["last_step"] == 4
    # crashed, not forgotten: what it logged stays
    out = subprocess.run(["node", CLI, "--dir", root, "export", run_id, "--format", "jsonl"], capture_output=True, text=True)
    assert [json.loads(l)["x"] for l in out.stdout.splitlines() if l.strip()] == [0, 1, 2, 3, 4]


def test_hung_process_whose_pid_is_alive_is_crashed_after_120_s_without_heartbeats(tmp_path):
    root = str(tmp_path / "root")
    shift = CRASH_AFTER_ALIVE - 9
    p, run_id = start(tmp_path, shift, end="wait")
    try:
        # heartbeats ~111 s old would crash a run whose pid cannot be checked; a live pid gets longer
        st = show(root, run_id)
        assert st["state"] == "running" and not st.get("error"), st
        p.send_signal(signal.SIGSTOP)          # hung: alive, but no more heartbeats
        stopped_at = time.time()
        st, seen = wait_crashed(root, run_id, 30)
        assert p.poll() is None                # still alive when the runtime gave up on it
        assert st["state"] == "crashed" and st["error"]["type"] == "Crashed"
        assert silent_seconds(st["error"]["message"]) >= CRASH_AFTER_ALIVE
        assert seen >= stopped_at + (CRASH_AFTER_ALIVE - shift) - 6   # (a heartbeat may be up to 5 s old at the stop)
    finally:
        p.kill()
        p.wait(10)

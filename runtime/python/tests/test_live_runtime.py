"""Against a live runtime (`trackwell serve`), not a sync afterwards: the client streams to it over HTTP.

The runtime is killed with SIGKILL in the middle of a run and started again; the run must end with every
step exactly once. A script killed with SIGKILL under a live runtime must end `crashed` once its heartbeats
stop, with every step it logged more than a second before.
"""
import json
import os
import signal
import subprocess
import sys
import textwrap
import time

import pytest

from conftest import REPO, clean_env, python_path

CLI = os.path.join(REPO, "dist", "cli.js")
pytestmark = pytest.mark.skipif(not os.path.exists(CLI), reason="dist/cli.js not built (npm run build)")


def cli(root, *args):
    out = subprocess.run(["node", CLI, "--dir", root] + list(args), capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    return out.stdout


def serve(root):
    """A foreground runtime; returns once runtime.json names its pid."""
    p = subprocess.Popen(["node", CLI, "serve", "--dir", root], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    info = os.path.join(root, "runtime.json")
    end = time.time() + 20
    while time.time() < end:
        try:
            if json.load(open(info))["pid"] == p.pid:
                return p
        except (OSError, ValueError, KeyError):
            pass
        time.sleep(0.05)
    p.kill()
    raise AssertionError("the runtime did not start: " + (p.stdout.read() if p.stdout else ""))


@pytest.fixture
def live(tmp_path):
    root = str(tmp_path / "root")
    procs = []

    def start():
        procs.append(serve(root))
        return procs[-1]

    start.root = root
    yield start
    for p in procs:
        if p.poll() is None:
            p.terminate()
            p.wait(10)


def spawn(workdir, root, code):
    script = os.path.join(str(workdir), "train.py")
    with open(script, "w") as f:
        f.write(textwrap.dedent(code))
    env = clean_env({"TRACKWELL_DIR": root, "PYTHONPATH": python_path(), "PYTHONUNBUFFERED": "1"})
    return subprocess.Popen([sys.executable, script], cwd=str(workdir), env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def wait_line(p, want):
    for line in p.stdout:
        if line.strip() == want:
            return
    raise AssertionError("script ended before printing %r: %s" % (want, p.stderr.read()))


def wait_state(root, run_id, states, timeout):
    end = time.time() + timeout
    while True:
        show = json.loads(cli(root, "show", run_id, "--json"))
        if show["state"] in states or time.time() > end:
            return show
        time.sleep(0.5)


def steps(root, run_id):
    return [json.loads(l)["_step"] for l in cli(root, "export", run_id, "--format", "jsonl").splitlines() if l.strip()]


def test_runtime_killed_mid_run_and_restarted_loses_and_duplicates_no_step(live, workdir):
    first = live()
    p = spawn(workdir, live.root, """
        import time, trackwell as tw
        run = tw.init(project="p", id="killrt01")
        for i in range(1500):
            run.log({"x": i, "y": i * 0.5})
            if i == 300:
                print("at300", flush=True)
            time.sleep(0.004)
        run.finish()
        print("done", flush=True)
    """)
    wait_line(p, "at300")
    first.send_signal(signal.SIGKILL)
    first.wait(10)
    time.sleep(0.5)
    live()  # a new runtime, on another port: the client finds it through runtime.json
    out, err = p.communicate(timeout=120)
    assert p.returncode == 0, err
    assert "done" in out
    show = wait_state(live.root, "killrt01", ("finished",), 30)
    assert show["state"] == "finished"
    got = steps(live.root, "killrt01")
    assert got == list(range(1500))


def test_script_killed_under_a_live_runtime_ends_crashed_with_what_it_logged(live, workdir):
    live()
    p = spawn(workdir, live.root, """
        import time, trackwell as tw
        run = tw.init(project="p", id="crash001")
        for i in range(100000):
            run.log({"x": i})
            if i == 200:
                print("at200", flush=True)
            time.sleep(0.002)
    """)
    wait_line(p, "at200")
    time.sleep(1.2)
    p.send_signal(signal.SIGKILL)
    p.wait(10)
    # The runtime calls a run crashed once its heartbeats stop (see SEMANTICS.md: a few missed periods).
    show = wait_state(live.root, "crash001", ("crashed",), 90)
    assert show["state"] == "crashed"
    got = steps(live.root, "crash001")
    assert got[:201] == list(range(201)) and got == list(range(len(got)))

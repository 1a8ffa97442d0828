"""Against a live runtime (`trackwell serve`), not a sync afterwards: the client streams to it over HTTP.

The runtime is killed with SIGKILL in the middle of a run and started again; the run must end with every
step exactly once. A script killed with SIGKILL under a live runtime must end `crashed` once its heartbeats
stop, with every step it logged more than a second before. Scripts started through the real `trackwell run`
(which hands them the runtime's URL in $TRACKWELL_RUNTIME) must find a runtime restarted on another port,
get their arguments unchanged, and end `killed` on Ctrl-C with their data; resume lookups (GET /api/resume)
and `trackwell logs --follow` are checked against the live runtime too.
"""
import json
import os
import signal
import subprocess
import sys
import textwrap
import time

import pytest

from conftest import REPO, clean_env, journals_of, prerequisite, python_path

CLI = os.path.join(REPO, "dist", "cli.js")
pytestmark = prerequisite(os.path.exists(CLI), "a built dist/cli.js (npm run build)")


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


def spawn(workdir, root, code, stdin=None):
    script = os.path.join(str(workdir), "train.py")
    with open(script, "w") as f:
        f.write(textwrap.dedent(code))
    env = clean_env({"TRACKWELL_DIR": root, "PYTHONPATH": python_path(), "PYTHONUNBUFFERED": "1"})
    return subprocess.Popen([sys.executable, script], cwd=str(workdir), env=env, stdin=stdin, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)


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
    # exactly what the journal held when the process died: nothing lost in transit, nothing twice
    [(_, _, recs, _)] = journals_of(live.root, "crash001")
    assert got == [r["step"] for r in recs if r["t"] == "history"]
    assert "exited without finishing" in show["error"]["message"]


def runtime_info(root):
    return json.load(open(os.path.join(root, "runtime.json")))


def trackwell_run(root, workdir, code, *args, name="train.py", env=None, **popen):
    """`trackwell run <script> [args]` through the real CLI (it finds the runtime serving `root`)."""
    script = os.path.join(str(workdir), name)
    with open(script, "w") as f:
        f.write(textwrap.dedent(code))
    e = clean_env({"TRACKWELL_PYTHON": sys.executable, "PYTHONUNBUFFERED": "1"})
    e.update(env or {})
    return subprocess.Popen(["node", CLI, "--dir", root, "run"] + list(args),
                            cwd=str(workdir), env=e, text=True, **popen)


def test_trackwell_run_finds_its_runtime_restarted_on_another_port(live, workdir):
    first = live()
    old_port = runtime_info(live.root)["port"]
    p = trackwell_run(live.root, workdir, """
        import json, os, sys, time, trackwell as tw

        def delivered(timeout):
            # every journal byte acknowledged by a runtime, while the run is still going
            end = time.time() + timeout
            while time.time() < end:
                st = run.status()
                if st["runtime_reachable"] and st["acknowledged_bytes"] == os.path.getsize(st["journal"]):
                    return True
                time.sleep(0.05)
            return False

        run = tw.init(project="p")
        for i in range(50):
            run.log({"x": i})
        print(json.dumps({"env": os.environ["TRACKWELL_RUNTIME"], "ok": delivered(10)}), flush=True)
        sys.stdin.readline()            # meanwhile the runtime is killed and another one started
        for i in range(50, 100):
            run.log({"x": i})
            time.sleep(0.01)
        print(json.dumps({"ok": delivered(20), "status": run.status()}), flush=True)
        run.finish()
    """, "--launch-id", "moved001", "train.py", stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        before = json.loads(p.stdout.readline())
        assert before["env"].endswith(":%d" % old_port) and before["ok"]   # launched with the first runtime's URL
        first.send_signal(signal.SIGKILL)
        first.wait(10)
        live()
        assert runtime_info(live.root)["port"] != old_port
        p.stdin.write("go\n")
        p.stdin.flush()
        after = json.loads(p.stdout.readline())
        out, err = p.communicate(timeout=60)
    finally:
        if p.poll() is None:
            p.kill()
    # $TRACKWELL_RUNTIME still names the dead runtime: the client found the new one through runtime.json
    assert after["ok"], (after, err)
    assert "reachable again" in err
    assert p.returncode == 0, err
    show = wait_state(live.root, "moved001", ("finished",), 30)
    assert show["state"] == "finished"
    assert steps(live.root, "moved001") == list(range(100))


def test_resume_lookup_through_a_live_runtime(live, workdir):
    """A real GET /api/resume: what the client's init(resume=...) asks, answered from the runtime's store."""
    from trackwell.transport import RuntimeClient, discover

    live()
    p = spawn(workdir, live.root, """
        import os, trackwell as tw
        run = tw.init(project="p", id="look0001", config={"lr": 0.5}, tags=["a", "b"], name="looked-up", group="g")
        for i in range(7):
            run.log({"x": i, "nested": {"y": i * 2}})
        run.summary["best"] = 3
        run.finish()
        print("done", flush=True)
    """)
    wait_line(p, "done")
    p.wait(30)
    wait_state(live.root, "look0001", ("finished",), 30)
    client = RuntimeClient(*discover(live.root, environ={}))
    try:
        info = client.resume_info("p", "look0001")
        assert info["exists"] is True and info["state"] == "finished" and info["last_step"] == 6
        assert info["config"] == {"lr": 0.5} and info["tags"] == ["a", "b"] and info["name"] == "looked-up"
        assert info["group"] == "g" and info["summary"]["best"] == 3 and info["summary"]["nested"] == {"y": 12}
        assert info["last_runtime"] >= 0
        assert client.resume_info("p", "nosuch01") == {"exists": False}
        assert client.resume_info("other", "look0001") == {"exists": False}   # ids are per project
        status, body = client.request("GET", "/api/resume?project=p")
        assert status == 400
    finally:
        client.close()
    bad = RuntimeClient(discover(live.root, environ={})[0], "wrong-token")
    try:
        status, _ = bad.request("GET", "/api/resume?project=p&id=look0001")
        assert status == 401
    finally:
        bad.close()


@pytest.mark.parametrize("mode", ["allow", "must"])
def test_crashed_run_resumed_goes_back_to_running_then_finishes(live, workdir, mode):
    live()
    p = spawn(workdir, live.root, """
        import os, time, trackwell as tw
        run = tw.init(project="p", id="again001", config={"lr": 0.1})
        for i in range(5):
            run.log({"x": i})
        run.step                        # a barrier: everything above is in the journal...
        while run.status()["acknowledged_bytes"] < os.path.getsize(run.status()["journal"]):
            time.sleep(0.02)            # ...and the runtime has it
        print("logged", flush=True)
        os._exit(1)                     # dies without finishing
    """)
    wait_line(p, "logged")
    p.wait(10)
    show = wait_state(live.root, "again001", ("crashed",), 30)
    assert show["state"] == "crashed"
    p = spawn(workdir, live.root, """
        import json, os, sys, time, trackwell as tw
        run = tw.init(project="p", id="again001", resume="%s")
        print(json.dumps([run.resumed, run.step, run.config.lr, run.summary["x"]]), flush=True)
        run.log({"x": 100})
        run.step
        while run.status()["acknowledged_bytes"] < os.path.getsize(run.status()["journal"]):
            time.sleep(0.02)
        print("resumed", flush=True)
        sys.stdin.readline()
        run.log({"x": 101})
        run.finish()
    """ % mode, stdin=subprocess.PIPE)
    try:
        got = json.loads(p.stdout.readline())
        assert got == [True, 5, 0.1, 4]   # the runtime's answer to the resume lookup: last step 4, config, summary
        wait_line(p, "resumed")
        show = wait_state(live.root, "again001", ("running",), 30)
        assert show["state"] == "running" and show["resumed"] is True and not show.get("error")
        assert steps(live.root, "again001") == [0, 1, 2, 3, 4, 5]
        out, err = p.communicate("go\n", timeout=60)
    finally:
        if p.poll() is None:
            p.kill()
    assert p.returncode == 0, err
    show = wait_state(live.root, "again001", ("finished",), 30)
    assert show["state"] == "finished" and show["exit_code"] == 0 and not show.get("error")
    rows = [json.loads(l) for l in cli(live.root, "export", "again001", "--format", "jsonl").splitlines() if l.strip()]
    assert [(r["_step"], r["x"]) for r in rows] == [(0, 0), (1, 1), (2, 2), (3, 3), (4, 4), (5, 100), (6, 101)]


FOLLOWED = """
    import sys
    print("first line", flush=True)
    for n in (2, 3):
        sys.stdin.readline()
        print("line %d" % n, flush=True)
    sys.stdin.readline()
    print("to stderr", file=sys.stderr, flush=True)
"""


class Follower:
    """`trackwell logs RUN --follow`, its stdout read line by line on a thread."""

    def __init__(self, root, run_id):
        import queue
        import threading

        self.proc = subprocess.Popen(["node", CLI, "--dir", root, "logs", run_id, "--follow"],
                                     stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        self.lines = queue.Queue()
        threading.Thread(target=lambda: [self.lines.put(l) for l in self.proc.stdout], daemon=True).start()

    def next(self, timeout=20):
        import queue

        try:
            return self.lines.get(timeout=timeout)
        except queue.Empty:
            raise AssertionError("logs --follow printed nothing new within %s s" % timeout) from None

    def kill(self):
        if self.proc.poll() is None:
            self.proc.kill()


def _followed_run(live, workdir, run_id):
    live()
    p = trackwell_run(live.root, workdir, FOLLOWED, "--launch-id", run_id, "train.py", stdin=subprocess.PIPE,
                      stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert p.stdout.readline() == "first line\n"
    wait_state(live.root, run_id, ("running",), 30)
    return p


def _say(p, n):
    p.stdin.write("go\n")
    p.stdin.flush()
    assert p.stdout.readline() == "line %d\n" % n


def test_logs_follow_streams_new_console_lines(live, workdir):
    p = _followed_run(live, workdir, "follow01")
    f = Follower(live.root, "follow01")
    try:
        seen = [f.next()]
        assert seen == ["first line\n"]              # what was there already...
        for n in (2, 3):                             # ...then each new line, while the run goes on
            _say(p, n)
            while True:                              # (repeats are the next test's business)
                line = f.next()
                if line == "line %d\n" % n:
                    break
                assert line in seen, "unexpected output %r" % line
            seen.append(line)
            assert f.proc.poll() is None and p.poll() is None   # still following a running run
        out, err = p.communicate("go\n", timeout=60)
        assert p.returncode == 0, err
        while f.next() != "to stderr\n":
            pass
    finally:
        f.kill()
        if p.poll() is None:
            p.kill()


def test_logs_follow_prints_each_line_once_and_ends_with_the_run(live, workdir):
    import queue

    p = _followed_run(live, workdir, "follow02")
    f = Follower(live.root, "follow02")
    try:
        assert f.next() == "first line\n"
        for n in (2, 3):
            time.sleep(1.0)                          # a quiet second between lines, as in real training
            _say(p, n)
            assert f.next() == "line %d\n" % n        # the new line, not the previous one again
        out, err = p.communicate("go\n", timeout=60)
        assert p.returncode == 0, err
        assert f.next() == "to stderr\n"
        f.proc.wait(15)                              # the run ended: so does --follow
        assert f.proc.returncode == 0
        with pytest.raises(queue.Empty):
            f.lines.get(timeout=1)                   # and nothing was printed twice
    finally:
        f.kill()
        if p.poll() is None:
            p.kill()


def test_trackwell_run_passes_script_arguments_through(live, workdir):
    live()
    args = ["--lr", "0.1", "--name", "mine", "--project", "q", "-m", "two words", "--offline", "--", "-x"]
    p = trackwell_run(live.root, workdir, """
        import json, sys
        import argparse, wandb
        print(json.dumps(sys.argv), flush=True)
        ap = argparse.ArgumentParser()
        ap.add_argument("--lr", type=float)
        ap.add_argument("--name")
        args, rest = ap.parse_known_args()
        run = wandb.init(config=args)
        run.log({"lr_seen": args.lr})
        run.finish()
    """, "--launch-id", "args0001", "train.py", *args, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    out, err = p.communicate(timeout=60)
    assert p.returncode == 0, err
    argv = json.loads(out.splitlines()[0])
    # every argument after the script is the script's, exactly as given (even ones `trackwell run` has too)
    assert argv[0].endswith("train.py") and argv[1:] == args
    show = wait_state(live.root, "args0001", ("finished",), 30)
    assert show["state"] == "finished"
    assert show["project"] == "uncategorized" and show["name"] != "mine"      # not taken as trackwell's options
    assert show["config"]["lr"] == 0.1 and show["config"]["name"] == "mine"
    assert show["metadata"]["program"]["argv"] == ["train.py"] + args      # and recorded with the run
    rows = [json.loads(l) for l in cli(live.root, "export", "args0001", "--format", "jsonl").splitlines() if l.strip()]
    assert [r["lr_seen"] for r in rows] == [0.1]


def test_ctrl_c_under_trackwell_run_kills_the_run_and_keeps_its_data(live, workdir):
    live()
    p = trackwell_run(live.root, workdir, """
        import time, wandb
        run = wandb.init(project="p")
        i = 0
        while True:
            run.log({"i": i})
            if i == 50:
                print("at50", flush=True)
            i += 1
            time.sleep(0.005)
    """, "--launch-id", "ctrlc001", "train.py", stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        start_new_session=True)             # its own process group, as a terminal gives a foreground job
    try:
        assert p.stdout.readline() == "at50\n"
        time.sleep(0.3)
        os.killpg(p.pid, signal.SIGINT)     # Ctrl-C: the terminal signals the whole group (CLI and script)
        out, err = p.communicate(timeout=60)
    finally:
        if p.poll() is None:
            os.killpg(p.pid, signal.SIGKILL)
    assert p.returncode == 128 + signal.SIGINT, err   # the CLI reports the script's end as a shell would
    assert "KeyboardInterrupt" in err
    show = wait_state(live.root, "ctrlc001", ("killed",), 30)
    # KeyboardInterrupt ends the run as killed (not crashed: the client recorded how it ended)
    assert show["state"] == "killed" and show["exit_code"] == 128 + signal.SIGINT
    assert show["error"]["type"] == "KeyboardInterrupt"
    # ...with everything it logged: every step, once, including the pending last one
    rows = [json.loads(l) for l in cli(live.root, "export", "ctrlc001", "--format", "jsonl").splitlines() if l.strip()]
    got = [(r["_step"], r["i"]) for r in rows]
    assert len(got) > 51 and got == [(n, n) for n in range(len(got))]
    [(_, _, recs, problems)] = journals_of(live.root, "ctrlc001")
    assert not problems and recs[-1]["t"] == "exit" and recs[-1]["state"] == "killed"
    assert [r["step"] for r in recs if r["t"] == "history"] == [s for s, _ in got]
    assert "at50" in cli(live.root, "logs", "ctrlc001", "--stream", "stdout")
    assert "KeyboardInterrupt" in cli(live.root, "logs", "ctrlc001", "--stream", "stderr")


def test_heartbeats_report_the_last_activity_to_the_runtime(live, workdir):
    """`show` (text and --json) has the last heartbeat and the last activity of a running run: a log()
    at its step, then console output; a hung script keeps heartbeating with its activity standing still."""
    live()
    p = spawn(workdir, live.root, """
        import sys, trackwell as tw, trackwell.writer
        trackwell.writer.HEARTBEAT_SECONDS = 0.2   # not 5 s: the test need not wait
        run = tw.init(project="p", id="activ001")
        for i in range(4):
            run.log({"x": i})
        sys.stdin.readline()                       # "hung": heartbeats go on, activity stands still
        print("after the pause")
        sys.stdin.readline()
        run.finish()
    """, stdin=subprocess.PIPE)

    def activity(kind):
        end = time.time() + 30
        while True:
            show = json.loads(cli(live.root, "show", "activ001", "--json"))
            a = show.get("activity")
            if (a and a["kind"] == kind) or time.time() > end:
                return show
            time.sleep(0.3)

    try:
        show = activity("log")
        assert show["state"] == "running"
        assert show["activity"]["kind"] == "log" and show["activity"]["step"] == 3, show["activity"]
        assert show["activity"]["time"] <= show["heartbeat"]
        text = cli(live.root, "show", "activ001")
        assert "\n  heartbeat  " in text and " ago)" in text
        assert "\n  activity   log() at step 3, " in text, text
        p.stdin.write("\n")
        p.stdin.flush()
        show = activity("console")
        assert show["activity"]["kind"] == "console" and show["activity"]["step"] == 3, show["activity"]
        assert "\n  activity   console output (last log() at step 3), " in cli(live.root, "show", "activ001")
        p.stdin.write("\n")
        p.stdin.flush()
        out, err = p.communicate(timeout=60)
        assert p.returncode == 0, err
    finally:
        if p.poll() is None:
            p.kill()
    show = wait_state(live.root, "activ001", ("finished",), 30)
    assert "heartbeat  " not in cli(live.root, "show", "activ001"), "a finished run shows no liveness lines"

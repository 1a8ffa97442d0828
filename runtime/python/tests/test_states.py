"""How runs end (#24): finish codes, exceptions, sys.exit, signals, interpreter exit, SIGKILL durability."""
import os
import signal
import subprocess
import sys
import time

from conftest import JOURNAL, clean_env, journals_of, python_path, run_ids, stored_run


def test_finish_exit_codes(run_script):
    r = run_script("""
        import json, trackwell as tw
        a = tw.init(project="p", mode="offline")
        a.finish()
        b = tw.init(project="p", mode="offline")
        b.finish(exit_code=0)
        c = tw.init(project="p", mode="offline")
        c.finish(exit_code=1)
        d = tw.init(project="p", mode="offline")
        tw.finish(exit_code=2)
        print(json.dumps([a.id, b.id, c.id, d.id]))
    """).ok()
    a, b, c, d = r.json()
    assert [stored_run(r.root, x)["state"] for x in (a, b, c, d)] == ["finished", "finished", "failed", "failed"]
    assert [stored_run(r.root, x)["exit_code"] for x in (a, b, c, d)] == [0, 0, 1, 2]


def test_exception_inside_with_fails_the_run_with_its_traceback(run_script):
    r = run_script("""
        import trackwell as tw
        try:
            with tw.init(project="p", mode="offline") as run:
                run.log({"x": 1})
                raise RuntimeError("boom inside with")
        except RuntimeError:
            pass
        print(run.id)
    """).ok()
    st = stored_run(r.root, r.last_line())
    assert st["state"] == "failed" and st["exit_code"] == 1
    assert st["error"]["type"] == "RuntimeError" and st["error"]["message"] == "boom inside with"
    assert "Traceback (most recent call last)" in st["error"]["traceback"]
    assert "boom inside with" in st["error"]["traceback"]
    assert st["history"][0]["x"] == 1


def test_with_block_without_error_finishes(run_script):
    r = run_script("""
        import trackwell as tw
        with tw.init(project="p", mode="offline") as run:
            run.log({"x": 1})
        assert tw.run is None
        print(run.id)
    """).ok()
    assert stored_run(r.root, r.last_line())["state"] == "finished"


def test_uncaught_exception_fails_the_run(run_script):
    r = run_script("""
        import trackwell as tw
        run = tw.init(project="p", mode="offline")
        print(run.id, flush=True)
        run.log({"x": 1})
        raise KeyError("missing thing")
    """)
    assert r.returncode == 1
    run_id = r.stdout.split()[0]
    st = stored_run(r.root, run_id)
    assert st["state"] == "failed" and st["exit_code"] == 1
    assert st["error"]["type"] == "KeyError"
    assert "missing thing" in st["error"]["traceback"]
    assert "KeyError" in st["console"]  # the traceback printed by Python is captured too
    assert "Traceback" in r.stderr      # ... and still reaches the terminal


def test_sys_exit_codes(run_script):
    r = run_script("""
        import sys, trackwell as tw
        run = tw.init(project="p", mode="offline")
        print(run.id, flush=True)
        sys.exit(3)
    """)
    assert r.returncode == 3
    st = stored_run(r.root, r.stdout.split()[0])
    assert st["state"] == "failed" and st["exit_code"] == 3
    r = run_script("""
        import sys, trackwell as tw
        run = tw.init(project="p", mode="offline")
        print(run.id, flush=True)
        sys.exit(0)
    """)
    assert r.returncode == 0
    assert stored_run(r.root, r.stdout.split()[0])["state"] == "finished"


def test_interpreter_exit_finishes_an_unfinished_run(run_script):
    r = run_script("""
        import trackwell as tw
        run = tw.init(project="p", mode="offline")
        for i in range(5):
            run.log({"i": i}, commit=(i != 4))
        print(run.id)
    """).ok()
    st = stored_run(r.root, r.last_line())
    assert st["state"] == "finished" and st["exit_code"] == 0
    assert [h["i"] for h in st["history"]] == [0, 1, 2, 3, 4]  # the uncommitted row is written at exit


def test_keyboard_interrupt_kills_the_run(run_script):
    r = run_script("""
        import trackwell as tw
        run = tw.init(project="p", mode="offline")
        print(run.id, flush=True)
        raise KeyboardInterrupt
    """)
    assert r.returncode != 0
    st = stored_run(r.root, r.stdout.split()[0])
    assert st["state"] == "killed"
    assert st["error"]["type"] == "KeyboardInterrupt"


def _spawn(tmp_path, code):
    script = tmp_path / "work" / "spawned.py"
    script.write_text(code)
    env = clean_env({"TRACKWELL_DIR": str(tmp_path / "root"), "PYTHONPATH": python_path(), "PYTHONUNBUFFERED": "1"})
    return subprocess.Popen([sys.executable, str(script)], cwd=str(tmp_path / "work"), env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


LOOP = """
import sys, time, trackwell as tw
run = tw.init(project="p", mode="offline")
print(run.id, flush=True)
i = 0
while True:
    run.log({"i": i})
    if i == 20:
        print("logged", flush=True)
    i += 1
    time.sleep(0.01)
"""


def test_sigterm_kills_the_run_and_the_process_dies_by_sigterm(tmp_path, workdir):
    p = _spawn(tmp_path, LOOP)
    run_id = p.stdout.readline().strip()
    assert p.stdout.readline().strip() == "logged"
    p.send_signal(signal.SIGTERM)
    p.wait(30)
    assert p.returncode == -signal.SIGTERM
    st = stored_run(str(tmp_path / "root"), run_id)
    assert st["state"] == "killed"
    assert len(st["history"]) >= 21


def test_sigkill_keeps_everything_logged_a_second_before(tmp_path, workdir):
    p = _spawn(tmp_path, LOOP.replace("time.sleep(0.01)", "time.sleep(0.001)\n    if i == 300: print('at300', flush=True)"))
    run_id = p.stdout.readline().strip()
    assert p.stdout.readline().strip() == "logged"
    assert p.stdout.readline().strip() == "at300"
    time.sleep(1.2)
    p.kill()                     # SIGKILL while it is still logging every millisecond
    p.wait(30)
    root = str(tmp_path / "root")
    # What reached the journal before the kill: its complete lines (a torn last line is no record).
    [(_, path, recs, problems)] = journals_of(root, run_id)
    assert all(reason == "truncated" for _, reason in problems)  # at most a torn last line
    assert not [r for r in recs if r["t"] == "exit"]
    flushed = [(r["step"], r["data"]["i"]) for r in recs if r["t"] == "history"]
    assert [s for s, _ in flushed] == list(range(len(flushed))) and all(s == i for s, i in flushed)
    assert len(flushed) > 400    # logging went on well past step 300 until the kill
    st = stored_run(root, run_id)
    assert st["state"] == ("running" if JOURNAL else "crashed")   # no exit record: the runtime calls it crashed
    if not JOURNAL:
        assert st["error"]["type"] == "Crashed" and "exited without finishing" in st["error"]["message"]
    # every flushed point is stored, exactly once, with its value; nothing else is
    assert [(h["_step"], h["i"]) for h in st["history"]] == flushed
    steps = [h["_step"] for h in st["history"]]
    assert steps[:301] == list(range(301))   # every step logged > 1 s before the kill is on disk
    if not JOURNAL:
        again = stored_run(root, run_id)     # syncing the same journal again adds nothing
        assert [(h["_step"], h["i"]) for h in again["history"]] == flushed and again["state"] == "crashed"


def test_handler_installed_by_the_script_is_left_alone(run_script):
    r = run_script("""
        import os, signal, trackwell as tw
        got = []
        signal.signal(signal.SIGTERM, lambda s, f: got.append(s))
        run = tw.init(project="p", mode="offline")
        os.kill(os.getpid(), signal.SIGTERM)
        import time; time.sleep(0.1)
        assert got == [signal.SIGTERM]
        run.finish()
        print(run.id)
    """).ok()
    assert stored_run(r.root, r.last_line())["state"] == "finished"


def test_runs_without_finish_in_threads_and_several_runs_all_end(run_script):
    r = run_script("""
        import json, trackwell as tw
        a = tw.init(project="p", mode="offline")
        b = tw.init(project="p", mode="offline", reinit="create_new")
        a.log({"a": 1}); b.log({"b": 1})
        print(json.dumps([a.id, b.id]))
        raise ValueError("both fail")
    """)
    a, b = [x for x in __import__("json").loads(r.stdout.strip().splitlines()[-1])]
    assert stored_run(r.root, a)["state"] == "failed"
    assert stored_run(r.root, b)["state"] == "failed"
    assert len(run_ids(r.root)) == 2
    assert os.path.isdir(r.root)

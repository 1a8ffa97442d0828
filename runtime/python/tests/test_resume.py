"""Resume, resume_from and fork_from (#15-#17), from local journals (no runtime)."""
import glob
import os

from conftest import JOURNAL, stored_run

FIRST = """
    import trackwell as tw
    run = tw.init(project="p", mode="offline", id="{id}", config={{"lr": 0.1}}, tags=["old"], name="orig")
    for i in range({n}):
        run.log({{"x": i}})
    run.summary["best"] = 42
    {end}
    print(run.id)
"""


def first_run(run_script, run_id="run00001", n=10, end="run.finish()"):
    return run_script(FIRST.format(id=run_id, n=n, end=end)).ok()


def test_resume_must_and_never(run_script):
    first_run(run_script)
    r = run_script("""
        import trackwell as tw
        try:
            tw.init(project="p", mode="offline", id="unknown1", resume="must")
            raise SystemExit("must accepted an unknown id")
        except tw.UsageError:
            pass
        try:
            tw.init(project="p", mode="offline", id="run00001", resume="never")
            raise SystemExit("never accepted an existing id")
        except tw.UsageError:
            pass
        try:
            tw.init(project="other", mode="offline", id="run00001", resume="must")
            raise SystemExit("must found a run of another project")
        except tw.UsageError:
            pass
        run = tw.init(project="p", mode="offline", id="fresh001", resume="never")
        assert not run.resumed
        run.finish()
        print("ok")
    """).ok()
    assert r.last_line() == "ok"


def test_resume_allow_continues_from_the_last_step(run_script):
    r = first_run(run_script)
    r2 = run_script("""
        import json, trackwell as tw
        run = tw.init(project="p", mode="offline", id="run00001", resume="allow", tags=["new1", "new2"])
        assert run.resumed and run.step == 10 and run.name == "orig"
        assert run.config.lr == 0.1 and run.summary["best"] == 42 and run.summary["x"] == 9
        run.log({"x": 100})
        run.tags += ("added",)
        run.finish()
        fresh = tw.init(project="p", mode="offline", id="new00001", resume="allow")
        assert not fresh.resumed and fresh.step == 0
        fresh.finish()
        print(json.dumps(run.settings.sync_file))
    """).ok()
    st = stored_run(r.root, "run00001")
    assert [h["_step"] for h in st["history"]] == list(range(11))
    assert st["history"][-1]["x"] == 100
    assert st["run"]["resumed"] is True and st["state"] == "finished"
    assert st["run"]["tags"] == ["new1", "new2", "added"]     # init's tags replace the stored ones
    assert st["config"] == {"lr": 0.1} and st["summary"]["best"] == 42
    if JOURNAL:
        assert len(st["journals"]) == 2 and len(set(rec["journal"] for rec in st["records"] if rec["t"] == "run")) == 2
        assert r2.json() == st["journals"][1]                 # a new directory and journal
    assert len(glob.glob(os.path.join(r.root, "runs", "*-run00001"))) == 2


def test_resume_without_tags_keeps_stored_tags_and_runtime_continues(run_script):
    r = first_run(run_script)
    run_script("""
        import trackwell as tw
        run = tw.init(project="p", mode="offline", id="run00001", resume="must")
        assert run.tags == ("old",)
        run.log({"x": 1})
        run.finish()
    """).ok()
    st = stored_run(r.root, "run00001")
    assert st["run"]["tags"] == ["old"]
    assert st["history"][-1]["_runtime"] >= st["history"][-2]["_runtime"]


def test_existing_id_without_resume_continues_with_a_warning(run_script):
    r = first_run(run_script)
    r2 = run_script("""
        import trackwell as tw
        run = tw.init(project="p", mode="offline", id="run00001")
        assert run.resumed and run.step == 10
        run.log({"x": 1})
        run.finish()
    """).ok()
    assert "already exists" in r2.stderr
    assert [h["_step"] for h in stored_run(r.root, "run00001")["history"]][-1] == 10


def test_resume_modes_are_mutually_exclusive_and_fork_needs_another_id(run_script):
    first_run(run_script)
    run_script("""
        import trackwell as tw
        cases = [dict(resume="allow", resume_from="run00001?_step=3"),
                 dict(resume="must", fork_from="run00001?_step=3"),
                 dict(resume_from="run00001?_step=3", fork_from="run00001?_step=3"),
                 dict(fork_from="run00001?_step=3", id="run00001"),
                 dict(resume_from="run00001"),
                 dict(fork_from="run00001?_step=x"),
                 dict(resume_from="missing1?_step=3"),
                 dict(fork_from="missing1?_step=3")]
        for kw in cases:
            try:
                tw.init(project="p", mode="offline", **kw)
                raise SystemExit("accepted %r" % (kw,))
            except tw.UsageError:
                pass
        print("ok")
    """).ok()


def test_resume_from_truncates_history_and_takes_precedence_over_id(run_script):
    r = first_run(run_script)
    run_script("""
        import trackwell as tw
        run = tw.init(project="p", mode="offline", id="ignored1", resume_from="run00001?_step=4")
        assert run.id == "run00001" and run.resumed and run.step == 5
        run.log({"x": 50})
        run.log({"x": 60})
        run.finish()
    """).ok()
    st = stored_run(r.root, "run00001")
    assert [(h["_step"], h["x"]) for h in st["history"]] == [(0, 0), (1, 1), (2, 2), (3, 3), (4, 4), (5, 50), (6, 60)]
    resumed = [rec for rec in st["records"] if rec["t"] == "run" and rec.get("resume_from_step") is not None]
    assert not JOURNAL or (resumed and resumed[0]["resume_from_step"] == 4)
    assert not glob.glob(os.path.join(r.root, "runs", "*-ignored1"))


def test_fork_from_starts_a_new_run_from_the_source_step(run_script):
    r = first_run(run_script)
    r2 = run_script("""
        import trackwell as tw
        run = tw.init(project="p", mode="offline", fork_from="run00001?_step=3")
        assert run.id != "run00001" and not run.resumed and run.step == 4
        assert run.config.lr == 0.1
        run.log({"x": 40})
        run.finish()
        print(run.id)
    """).ok()
    fork = stored_run(r.root, r2.last_line())
    assert not JOURNAL or fork["run"]["fork_from"] == {"run": "run00001", "step": 3}
    assert [(h["_step"], h["x"]) for h in fork["history"]] == [(0, 0), (1, 1), (2, 2), (3, 3), (4, 40)]
    assert fork["config"] == {"lr": 0.1}
    assert len(stored_run(r.root, "run00001")["history"]) == 10   # the source is untouched


CRASH = """
    import os, sys, trackwell as tw
    run = tw.init(project="p", mode="offline", resume="auto")
    print(run.id, run.resumed, run.step, flush=True)
    run.log({"x": run.step})
    if sys.argv[1] == "crash-hard":
        import time; time.sleep(0.1)
        os._exit(1)    # no exit record: crashed
    if sys.argv[1] == "fail":
        raise RuntimeError("failed")
    run.finish()
"""


def test_resume_auto_resumes_a_crashed_or_failed_run_of_the_same_program(run_script, workdir):
    (workdir / "train.py").write_text(__import__("textwrap").dedent(CRASH))
    import subprocess
    import sys

    from conftest import clean_env, python_path

    env = clean_env({"TRACKWELL_DIR": str(workdir.parent / "root"), "PYTHONPATH": python_path()})

    def go(mode):
        p = subprocess.run([sys.executable, "train.py", mode], cwd=str(workdir), env=env, capture_output=True, text=True)
        run_id, resumed, step = p.stdout.split()[:3]
        return run_id, resumed == "True", int(step)

    a = go("crash-hard")
    assert a[1] is False and a[2] == 0
    b = go("fail")                      # resumes the crashed run
    assert b == (a[0], True, 1)
    c = go("ok")                        # resumes the failed run, then finishes it
    assert c == (a[0], True, 2)
    d = go("ok")                        # the last run finished: a new one
    assert d[0] != a[0] and d[1] is False
    st = stored_run(str(workdir.parent / "root"), a[0])
    assert [h["x"] for h in st["history"]] == [0, 1, 2] and st["state"] == "finished"

"""Launched runs (`trackwell run`): the `_launch` sitecustomize starts a run for the process, captures
the console at the file-descriptor level, and hands the run to the script's init()."""
import json

from conftest import JOURNAL, run_ids, stored_run


def test_script_without_tracking_calls_gets_a_finished_run_with_its_console(run_script):
    r = run_script("""
        import os, subprocess, sys
        print("hello from python")
        print("to stderr", file=sys.stderr)
        subprocess.run(["echo", "from a subprocess"])
        os.write(1, b"raw fd write\\n")
        print("child sees launch id:", subprocess.run([sys.executable, "-c",
              "import os; print(os.environ.get('TRACKWELL_LAUNCH_ID'))"], capture_output=True, text=True).stdout.strip())
        print("\\u00e9t\\u00e9 ok")
    """, launched=True, launch_id="abc12345").ok()
    assert "hello from python" in r.stdout and "from a subprocess" in r.stdout and "to stderr" in r.stderr
    assert run_ids(r.root) == ["abc12345"]
    st = stored_run(r.root, "abc12345")
    assert st["state"] == "finished" and st["exit_code"] == 0
    assert st["run"]["project"] == "uncategorized" and (not JOURNAL or st["run"]["launch_id"] == "abc12345")
    assert "hello from python\n" in st["stdout"]
    assert "from a subprocess\n" in st["stdout"]
    assert "raw fd write\n" in st["stdout"]
    assert "to stderr\n" in st["stderr"] and (not JOURNAL or "to stderr" not in st["stdout"])
    assert "child sees launch id: None" in st["stdout"]
    assert "\u00e9t\u00e9 ok" in st["stdout"]


def test_launched_exit_status_is_recorded(run_script):
    r = run_script("""
        import sys
        print("bye")
        sys.exit(3)
    """, launched=True, launch_id="exit0003")
    assert r.returncode == 3
    st = stored_run(r.root, "exit0003")
    assert st["state"] == "failed" and st["exit_code"] == 3
    r = run_script("""
        raise RuntimeError("launched boom")
    """, launched=True, launch_id="boom0001")
    assert r.returncode == 1 and "launched boom" in r.stderr
    st = stored_run(r.root, "boom0001")
    assert st["state"] == "failed" and st["error"]["message"] == "launched boom"
    assert "RuntimeError: launched boom" in st["stderr"]


def test_init_adopts_the_launched_run(run_script):
    r = run_script("""
        import json, wandb
        print("before init")
        run = wandb.init(project="adopted", name="nice", tags=["t"], config={"a": 1})
        print("after init")
        run.log({"x": 1})
        run.finish()
        print(json.dumps([run.id, wandb.run is None]))
    """, launched=True, launch_id="adopt001").ok()
    assert r.json() == ["adopt001", True]
    assert run_ids(r.root) == ["adopt001"]
    st = stored_run(r.root, "adopt001")
    assert not JOURNAL or len(st["journals"]) == 1
    assert (st["run"]["project"], st["run"]["name"], st["run"]["tags"]) == ("adopted", "nice", ["t"])
    assert st["config"] == {"a": 1} and st["history"][0]["x"] == 1 and st["state"] == "finished"
    assert "before init\n" in st["stdout"] and "after init\n" in st["stdout"]
    assert not JOURNAL or [rec["t"] for rec in st["records"]].count("run") == 2   # initial + adopted


def test_init_with_its_own_id_discards_the_launched_run_and_keeps_its_console(run_script):
    r = run_script("""
        import wandb
        print("early output")
        run = wandb.init(project="p", id="explicit", mode="offline")
        print("later output")
        run.finish()
    """, launched=True, launch_id="discard1").ok()
    assert run_ids(r.root) == ["explicit"]
    st = stored_run(r.root, "explicit")
    assert "early output\n" in st["stdout"] and "later output\n" in st["stdout"]
    assert st["stdout"].index("early") < st["stdout"].index("later")
    assert st["state"] == "finished"
    from conftest import journals_of

    launched = journals_of(r.root, "discard1")
    assert launched and launched[0][2][-1]["t"] == "run" and launched[0][2][-1]["discard"] is True


def test_output_after_finish_still_reaches_the_terminal(run_script):
    r = run_script("""
        import wandb, subprocess
        run = wandb.init(project="p")
        run.finish()
        print("after finish")
        subprocess.run(["echo", "echo after finish"])
    """, launched=True, launch_id="after001").ok()
    assert "after finish" in r.stdout and "echo after finish" in r.stdout
    assert "after finish" not in stored_run(r.root, "after001")["stdout"]


def test_other_sitecustomize_is_still_loaded(tmp_path, workdir):
    """Our `_launch` folder shadows any other sitecustomize (e.g. Debian's): it is chain-loaded."""
    import os
    import subprocess
    import sys

    from conftest import clean_env, python_path

    other = tmp_path / "other"
    other.mkdir()
    (other / "sitecustomize.py").write_text("import os\nos.environ['OTHER_SITECUSTOMIZE'] = 'loaded'\n")
    root = str(tmp_path / "root")
    env = clean_env({"TRACKWELL_DIR": root, "PYTHONPATH": python_path(launched=True) + os.pathsep + str(other),
                     "TRACKWELL_LAUNCH_ID": "chain002"})
    p = subprocess.run([sys.executable, "-c", "import os; print(os.environ.get('OTHER_SITECUSTOMIZE'))"],
                       env=env, capture_output=True, text=True, cwd=str(workdir))
    assert p.stdout.strip() == "loaded", p.stderr
    assert run_ids(root) == ["chain002"]


def test_not_launched_without_the_variable(run_script):
    r = run_script("""
        print("plain")
    """, launched=True, env={"TRACKWELL_LAUNCH_ID": ""}).ok()
    assert r.stdout.strip() == "plain" and run_ids(r.root) == []


def test_launched_sweep_trial_records_locked_params(run_script, tmp_path, workdir):
    params = tmp_path / "config-trial001.json"
    params.write_text(json.dumps({"lr": {"value": 0.003}, "layers": {"value": 4}, "activation": {"value": "tanh"}}))
    import os

    from conftest import EXAMPLES

    src = os.path.join(EXAMPLES, "sweep_train.py")
    code = open(src).read() if os.path.exists(src) else None
    if code is None:
        return
    r = run_script(code, launched=True, launch_id="trial001", args=["--lr=0.003", "--layers=4", "--activation=tanh"],
                   env={"WANDB_SWEEP_ID": "sweep1", "WANDB_SWEEP_PARAM_PATH": str(params), "WANDB_PROJECT": "sw"}).ok()
    st = stored_run(r.root, "trial001")
    assert st["config"] == {"lr": 0.003, "layers": 4, "activation": "tanh"}
    assert st["run"]["sweep_id"] == "sweep1" and st["run"]["project"] == "sw"
    assert len(st["history"]) == 12 and st["state"] == "finished"


def test_console_bytes_that_are_not_utf8_are_kept(run_script):
    r = run_script("""
        import os
        os.write(1, b"ok line\\n")
        os.write(1, b"\\xff\\xfe not utf-8\\n")
        os.write(1, "split \\u00e9".encode()[:-1])     # a character cut in two writes
        os.write(1, "split \\u00e9".encode()[-1:] + b"\\n")
    """, launched=True, launch_id="bytes001").ok()
    st = stored_run(r.root, "bytes001")
    assert "ok line\n" in st["stdout"] and "not utf-8" in st["stdout"]
    if JOURNAL:
        import base64

        b64 = [rec for rec in st["records"] if rec["t"] == "console" and "b64" in rec]
        assert b64 and b"\xff\xfe not utf-8" in b"".join(base64.b64decode(x["b64"]) for x in b64)
        assert "split \u00e9\n" in st["stdout"]


def test_console_off_and_redirect_settings(run_script):
    r = run_script("""
        import json, os, subprocess, trackwell as tw
        a = tw.init(project="p", mode="offline", settings={"console": "off"})
        print("not captured")
        a.finish()
        b = tw.init(project="p", mode="offline", settings={"console": "redirect"})
        print("captured by fd")
        subprocess.run(["echo", "child captured"])
        b.finish()
        print("after")
        print(json.dumps([a.id, b.id]))
    """).ok()
    a, b = r.json()
    assert stored_run(r.root, a)["console"] == ""
    sb = stored_run(r.root, b)
    assert "captured by fd\n" in sb["stdout"] and "child captured\n" in sb["stdout"] and "after" not in sb["stdout"]
    assert "not captured" in r.stdout and "child captured" in r.stdout and "after" in r.stdout


def test_numpy_values_if_numpy_is_installed(run_script):
    import pytest

    pytest.importorskip("numpy")
    r = run_script("""
        import numpy as np, trackwell as tw
        run = tw.init(project="p", mode="offline")
        run.log({"f": np.float32(0.5), "i": np.int64(3), "z": np.array(2.0), "a": np.arange(3), "m": np.ones((2, 2)),
                 "b": np.bool_(True), "nan": np.float64("nan")})
        run.finish()
        print(run.id)
    """).ok()
    row = stored_run(r.root, r.last_line())["history"][0]
    assert row["f"] == 0.5 and row["i"] == 3 and row["z"] == 2.0 and row["a"] == [0, 1, 2]
    assert row["m"] == [[1.0, 1.0], [1.0, 1.0]] and row["b"] is True and row["nan"] != row["nan"]


def test_launched_resume_auto_continues_the_crashed_run(run_script, workdir):
    code = """
        import os, sys, trackwell as tw
        run = tw.init(project="p", resume="auto")
        print(run.id, run.resumed, run.step, flush=True)
        run.log({"x": run.step})
        if sys.argv[1] == "crash":
            import time; time.sleep(0.3)   # let the writer put the row on disk
            os._exit(1)
    """
    (workdir / "train.py").write_text(__import__("textwrap").dedent(code))
    import subprocess
    import sys

    from conftest import clean_env, python_path

    root = str(workdir.parent / "root")

    def go(mode, launch_id):
        env = clean_env({"TRACKWELL_DIR": root, "PYTHONPATH": python_path(launched=True), "TRACKWELL_LAUNCH_ID": launch_id})
        p = subprocess.run([sys.executable, "train.py", mode], cwd=str(workdir), env=env, capture_output=True, text=True)
        return p.stdout.split()[:3]

    assert go("crash", "auto0001") == ["auto0001", "False", "0"]     # nothing to resume: the launched run is adopted
    assert go("ok", "auto0002") == ["auto0001", "True", "1"]         # resumes the crashed run; auto0002 discarded
    assert run_ids(root) == ["auto0001"]
    st = stored_run(root, "auto0001")
    assert [h["x"] for h in st["history"]] == [0, 1] and st["state"] == "finished"

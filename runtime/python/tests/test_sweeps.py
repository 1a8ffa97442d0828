"""Local sweeps from Python (`wandb.sweep`, `wandb.agent`, `wandb.controller`) against the real runtime.

Scripts run in subprocesses with their own data root; the API starts the runtime itself, and every
assertion reads what the runtime stored through the real CLI (`sweep show --json`, `show --json`).
"""
import itertools
import json
import os
import subprocess

import pytest

from conftest import REPO, have_runtime_cli, prerequisite

CLI = os.path.join(REPO, "dist", "cli.js")
pytestmark = prerequisite(have_runtime_cli(), "node and a built dist/cli.js (npm run build)")


def cli_json(root, *args):
    out = subprocess.run(["node", CLI, "--dir", root] + list(args) + ["--json"], capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout)


@pytest.fixture
def sweeps(run_script):
    """run_script, and the runtime the scripts started is stopped afterwards."""
    yield run_script
    subprocess.run(["node", CLI, "serve", "--stop", "--dir", run_script.root], capture_output=True, timeout=60)


GRID = {"lr": [0.01, 0.1, 1.0], "layers": [1, 2]}


def test_grid_sweep_runs_every_point_in_process_with_locked_parameters(sweeps):
    r = sweeps("""
        import json, wandb
        sid = wandb.sweep({"method": "grid", "metric": {"name": "score", "goal": "maximize"},
                           "parameters": {"lr": {"values": [0.01, 0.1, 1.0]}, "layers": {"values": [1, 2]}}},
                          project="sw")
        seen = []
        def train():
            run = wandb.init(config={"lr": 0.5, "batch": 32})
            wandb.config.update({"lr": 999}, allow_val_change=True)  # locked: the sweep's value stays
            seen.append([run.id, wandb.config.lr, run.sweep_id])
            if wandb.config.lr == 1.0 and wandb.config.layers == 2:
                raise ValueError("this point is broken")
            wandb.log({"score": wandb.config.lr * 10 + wandb.config.layers})
        wandb.agent(sid, function=train, count=2)
        after_two = len(wandb.controller(sid).status()["trials"])
        wandb.agent(sid, function=train, count=10)  # picks the grid up where it was, ends when it is exhausted
        print(json.dumps({"sid": sid, "after_two": after_two, "seen": seen}))
    """, timeout=120).ok()
    out = r.json()
    sid = out["sid"]
    assert out["after_two"] == 2
    assert "this point is broken" in r.stderr
    s = cli_json(r.root, "sweep", "show", sid)
    points = sorted((t["params"]["lr"], t["params"]["layers"]) for t in s["trials"])
    assert points == sorted(itertools.product(GRID["lr"], GRID["layers"]))  # every point, once
    assert s["state"] == "finished" and len(out["seen"]) == 6
    by_run = {t["run_id"]: t for t in s["trials"]}
    for run_id, lr_inside, sweep_id in out["seen"]:
        t = by_run[run_id]
        assert lr_inside == t["params"]["lr"] and sweep_id == sid
        run = cli_json(r.root, "show", run_id)
        assert run["sweep_id"] == sid and run["project"] == "sw"
        assert run["config"] == dict(t["params"], batch=32)
        if (t["params"]["lr"], t["params"]["layers"]) == (1.0, 2):
            assert t["state"] == run["state"] == "failed"
            assert run["error"]["message"] == "this point is broken"
        else:
            assert t["state"] == run["state"] == "finished"
            assert run["summary"]["score"] == pytest.approx(t["params"]["lr"] * 10 + t["params"]["layers"])
    best = max((t for t in s["trials"] if t["state"] == "finished"), key=lambda t: t["metric"])
    assert best["params"] == {"lr": 1.0, "layers": 1}
    assert s["best"]["run_id"] == best["run_id"] and s["best"]["value"] == pytest.approx(11)


def test_invalid_configs_raise_with_the_runtimes_message(sweeps):
    r = sweeps("""
        import json, trackwell, wandb
        out = []
        for cfg in ({"method": "grid", "parameters": {"x": {"values": [1]}}, "metric": {"name": "m", "goal": "up"}},
                    {"method": "grid", "parameters": {}}, lambda: {"method": "sideways", "parameters": {"x": {"value": 1}}},
                    ["not", "a", "dict"]):
            try:
                trackwell.sweep(cfg)
                out.append(None)
            except ValueError as e:
                out.append([str(e), isinstance(e, wandb.errors.UsageError)])
        print(json.dumps(out))
    """, timeout=60).ok()
    goal, empty, method, not_dict = r.json()
    assert "goal" in goal[0] and "up" in goal[0] and goal[1]
    assert "parameters" in empty[0] or "empty" in empty[0]
    assert "method" in method[0] and "sideways" in method[0]
    assert "dict" in not_dict[0]
    assert cli_json(r.root, "sweep", "ls") == []


def test_controller_pause_resume_stop_and_a_paused_sweep_waits(sweeps):
    r = sweeps("""
        import json, threading, time, wandb
        sid = wandb.sweep({"method": "random", "parameters": {"x": {"min": 0.0, "max": 1.0}}, "program": "t.py"})
        c = wandb.controller(sid)
        states = [c.pause(), c.state]
        trials_while_paused = []

        def later():
            time.sleep(1.5)
            trials_while_paused.append(len(c.status()["trials"]))
            states.append(c.resume())

        threading.Thread(target=later).start()
        wandb.agent(sid, function=lambda: wandb.init().log({"loss": wandb.config.x}), count=1)
        states += [c.stop(), c.state, c.done()]
        errors = []
        for call in (c.pause, c.run):
            try:
                call()
            except wandb.errors.UsageError as e:
                errors.append([type(e).__name__, str(e)])
        print(json.dumps({"sid": sid, "states": states, "paused_trials": trials_while_paused, "errors": errors}))
    """, timeout=60).ok()
    out = r.json()
    assert out["states"] == ["paused", "paused", "running", "stopped", "stopped", True]
    assert out["paused_trials"] == [0]
    assert "already stopped" in out["errors"][0][1]
    assert out["errors"][1][0] == "UnsupportedError" and "not applicable" in out["errors"][1][1]
    s = cli_json(r.root, "sweep", "show", out["sid"])
    assert s["state"] == "stopped" and [t["state"] for t in s["trials"]] == ["finished"]


def test_cancel_stops_the_running_function_trial(sweeps):
    r = sweeps("""
        import json, threading, time, wandb
        sid = wandb.sweep({"method": "random", "run_cap": 5, "parameters": {"x": {"min": 0, "max": 9}}})
        swallowed = []

        def train():
            with wandb.init() as run:  # ended by the stop on its way out: killed, not failed
                try:
                    for step in range(300):
                        run.log({"loss": step})
                        time.sleep(0.05)
                except Exception:
                    swallowed.append(True)  # the stop is not an Exception: this never runs

        def cancel():
            c = wandb.controller(sid)
            while not any(t["state"] == "running" for t in c.status()["trials"]):
                time.sleep(0.2)
            c.cancel()

        threading.Thread(target=cancel).start()
        t0 = time.time()
        wandb.agent(sid, function=train)
        print(json.dumps({"sid": sid, "took": time.time() - t0, "swallowed": swallowed}))
    """, timeout=60).ok()
    out = r.json()
    assert out["swallowed"] == [] and out["took"] < 14
    s = cli_json(r.root, "sweep", "show", out["sid"])
    assert s["state"] == "cancelled" and len(s["trials"]) == 1
    run = cli_json(r.root, "show", s["trials"][0]["run_id"])
    assert run["state"] == "killed" and "cancelled" in run["error"]["message"]


def test_hyperband_stops_function_trials_that_fall_behind(sweeps):
    r = sweeps("""
        import json, time, wandb
        sid = wandb.sweep({"method": "grid", "metric": {"name": "loss", "goal": "minimize"},
                           "parameters": {"q": {"values": [0, 1, 2, 3]}},
                           "early_terminate": {"type": "hyperband", "min_iter": 2, "eta": 2}})

        def train():
            run = wandb.init()
            for step in range(40):
                run.log({"loss": run.config.q + 1 / (step + 1)})
                time.sleep(0.05 if run.config.q < 2 else 0.25)

        wandb.agent(sid, function=train)
        print(json.dumps(sid))
    """, timeout=120).ok()
    s = cli_json(r.root, "sweep", "show", r.json())
    by_q = {t["params"]["q"]: t for t in s["trials"]}
    assert by_q[0]["state"] == "finished" and by_q[3]["state"] == "killed"
    assert by_q[3]["stop_reason"].startswith("hyperband")
    run = cli_json(r.root, "show", by_q[3]["run_id"])
    assert run["state"] == "killed" and "early termination" in run["error"]["message"]


def test_three_quick_failures_stop_the_function_agent(sweeps):
    r = sweeps("""
        import json, wandb
        sid = wandb.sweep({"method": "random", "parameters": {"x": {"min": 0.0, "max": 1.0}}})

        def train():
            wandb.init()
            raise RuntimeError("always broken")

        try:
            wandb.agent(sid, function=train, count=10)
            print(json.dumps([sid, None]))
        except wandb.Error as e:
            print(json.dumps([sid, str(e)]))
    """, timeout=60).ok()
    sid, err = r.json()
    assert err and "3 trials failed within a minute" in err
    s = cli_json(r.root, "sweep", "show", sid)
    assert [t["state"] for t in s["trials"]] == ["failed"] * 3


def test_agent_without_a_function_runs_the_program_through_the_command_agent(sweeps, workdir):
    (workdir / "train_prog.py").write_text(
        "import wandb\nrun = wandb.init(config={'x': -1})\nrun.log({'loss': run.config.x * 2})\nrun.finish()\n")
    r = sweeps("""
        import json, wandb
        sid = wandb.sweep({"program": "train_prog.py", "method": "grid", "metric": {"name": "loss"},
                           "parameters": {"x": {"values": [1, 2, 3]}}}, project="cmd")
        wandb.agent(sid, count=2)
        print(json.dumps(sid))
    """, timeout=120).ok()
    sid = r.json()
    assert "trackwell agent" in r.stderr
    s = cli_json(r.root, "sweep", "show", sid)
    assert [t["params"]["x"] for t in s["trials"]] == [1, 2]
    for t in s["trials"]:
        run = cli_json(r.root, "show", t["run_id"])
        assert t["state"] == run["state"] == "finished"
        assert run["sweep_id"] == sid and run["project"] == "cmd" and run["config"] == {"x": t["params"]["x"]}
        assert run["summary"]["loss"] == 2 * t["params"]["x"]
    assert s["best"]["run_id"] == s["trials"][0]["run_id"]


def test_float_bounds_mean_uniform_and_int_bounds_int_uniform(sweeps):
    """JSON drops the `.0` of 0.0; the client keeps W&B's rule that a float bound means uniform."""
    r = sweeps("""
        import json, wandb
        sid = wandb.sweep({"method": "random", "parameters": {"x": {"min": 0.0, "max": 1.0}, "n": {"min": 1, "max": 3},
                                                             "opt": {"parameters": {"m": {"min": 0.0, "max": 2.0}}}}})
        got = []
        wandb.agent(sid, function=lambda: got.append(dict(wandb.init().config)), count=3)
        print(json.dumps([sid, got]))
    """, timeout=60).ok()
    sid, got = r.json()
    params = cli_json(r.root, "sweep", "show", sid)["config"]["parameters"]
    assert params["x"]["distribution"] == "uniform" and params["n"]["distribution"] == "int_uniform"
    assert params["opt"]["parameters"]["m"]["distribution"] == "uniform"
    assert len(got) == 3
    for c in got:
        assert isinstance(c["x"], float) and 0 <= c["x"] <= 1 and c["n"] in (1, 2, 3)
        assert isinstance(c["opt"]["m"], float)


def test_prior_runs_count_as_trials_in_wandb_sweep_and_trackwell_sweep(sweeps):
    """`prior_runs=` (run objects or ids) are trials from the start: grid skips what they cover."""
    r = sweeps("""
        import json, trackwell, wandb
        prior = []
        for x in (1, 2):
            run = wandb.init(project="pr", config={"x": x, "note": "by hand"})
            run.log({"loss": x * 10})
            run.finish()
            prior.append(run)
        grid = {"method": "grid", "metric": {"name": "loss"}, "parameters": {"x": {"values": [1, 2, 3]}}}
        sid = wandb.sweep(grid, project="pr", prior_runs=prior)  # run objects
        sid2 = trackwell.sweep(grid, project="pr", prior_runs=[prior[1].id])  # ids, through the trackwell name
        ran = {}
        def train():
            run = wandb.init()
            ran.setdefault(run.sweep_id, []).append(run.config.x)
            wandb.log({"loss": run.config.x * 10})
        wandb.agent(sid, function=train, count=5)
        wandb.agent(sid2, function=train, count=5)
        try:
            wandb.sweep(grid, project="pr", prior_runs=["nosuchrn"])
        except Exception as e:
            missing = "%s: %s" % (type(e).__name__, e)
        print(json.dumps({"sid": sid, "sid2": sid2, "prior": [p.id for p in prior], "ran": ran, "missing": missing}))
    """, timeout=120).ok()
    out = r.json()
    prior = out["prior"]
    assert out["ran"] == {out["sid"]: [3], out["sid2"]: [1, 3]}
    s = cli_json(r.root, "sweep", "show", out["sid"])
    assert [t["run_id"] for t in s["trials"][:2]] == prior
    assert [(t["params"], t["state"], t["metric"]) for t in s["trials"][:2]] == [({"x": 1}, "finished", 10), ({"x": 2}, "finished", 20)]
    assert sorted(t["params"]["x"] for t in s["trials"]) == [1, 2, 3] and s["state"] == "finished"
    assert s["best"]["run_id"] == prior[0]
    s2 = cli_json(r.root, "sweep", "show", out["sid2"])
    assert s2["trials"][0]["run_id"] == prior[1] and sorted(t["params"]["x"] for t in s2["trials"]) == [1, 2, 3]
    assert "prior run pr/nosuchrn does not exist" in out["missing"]

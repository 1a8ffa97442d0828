"""The `wandb` compatibility module is the trackwell API under another name."""
from conftest import stored_run


def test_wandb_names_are_trackwell_objects(run_script):
    run_script("""
        import wandb, trackwell as tw
        import wandb.errors
        from wandb.errors import UsageError, CommError, Error
        for name in ("init", "log", "finish", "define_metric", "login", "setup", "teardown", "Settings", "Run",
                     "Error", "UsageError", "CommError", "ConfigError", "mark_preempting"):
            assert getattr(wandb, name) is getattr(tw, name), name
        assert wandb.errors.UsageError is tw.errors.UsageError is UsageError
        assert wandb.errors.CommError is CommError and wandb.errors.Error is Error is tw.Error
        assert issubclass(tw.UsageError, tw.Error) and issubclass(tw.ConfigError, tw.Error)
        assert issubclass(tw.CommError, tw.Error)
        assert wandb.run is None
        try:
            wandb.summary["x"]
            raise SystemExit("summary before init")
        except wandb.Error:
            pass
        try:
            wandb.define_metric("x")
            raise SystemExit("define_metric before init")
        except wandb.Error:
            pass
        run = wandb.init(project="shim", mode="offline")
        assert wandb.run is run is tw.run and isinstance(run, wandb.Run)
        assert wandb.config is run.config and wandb.summary is run.summary
        wandb.define_metric("x", summary="max")
        wandb.log({"x": 1})
        wandb.log({"x": 3})
        wandb.log({"x": 2})
        wandb.summary["manual"] = "yes"
        assert wandb.summary["x"] == {"max": 3}
        wandb.mark_preempting()
        wandb.watch(object())                # accepted (not supported yet), never fails
        wandb.finish()
        assert wandb.run is None
        try:
            wandb.missing_thing
            raise SystemExit("unknown attribute")
        except AttributeError:
            pass
        print(run.id)
    """).ok()


def test_summary_and_config_through_the_module_are_stored(run_script):
    r = run_script("""
        import wandb
        wandb.init(project="shim", mode="offline", config={"a": 1})
        wandb.config.b = 2
        wandb.log({"x": 5})
        wandb.summary.update({"best": 9})
        rid = wandb.run.id
        wandb.finish()
        print(rid)
    """).ok()
    st = stored_run(r.root, r.last_line())
    assert st["config"] == {"a": 1, "b": 2} and st["summary"] == {"x": 5, "best": 9}


def test_log_is_fast_on_the_calling_thread(run_script):
    """A coarse guard (CI machines vary); bench_client.py measures it properly."""
    r = run_script("""
        import json, time, trackwell as tw
        run = tw.init(project="bench", mode="offline", settings={"console": "off"})
        row = {"m%d" % k: 0.5 for k in range(10)}
        times = []
        for i in range(3000):
            t = time.perf_counter_ns()
            run.log(row)
            times.append(time.perf_counter_ns() - t)
        run.finish()
        times.sort()
        print(json.dumps({"median_us": times[len(times) // 2] / 1000}))
    """).ok()
    assert r.json()["median_us"] < 50
